"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { detectFeedKind, FEEDS } from "@/lib/feeds/kinds";
import { FEED_KINDS, type FeedKind } from "@/lib/api/views/feed-kinds";
import type { ImportEntry } from "@/lib/api/views/feeds";
import { ErrorState, Loading, ProgressBar } from "@/components/ui/states";
import { formatInstant } from "@/components/ui/format";
import { api, uploadFeed, type UploadOutcome } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import { SignOutButton } from "./sign-out";

interface Pending {
  id: number;
  file: File;
  kind: FeedKind | "";
  progress: number;
  state: "ready" | "uploading" | "done" | "failed";
  outcome?: UploadOutcome;
}

let nextId = 1;

async function recognise(file: File): Promise<FeedKind | ""> {
  const head = await file.slice(0, 4096).text();
  const header = (head.split(/\r?\n/)[0] ?? "").split(",");
  return detectFeedKind(header) ?? "";
}

export function UploadPanel() {
  const queryClient = useQueryClient();
  const [files, setFiles] = useState<Pending[]>([]);
  const [dragging, setDragging] = useState(false);
  const history = useQuery({ queryKey: queryKeys.imports(), queryFn: api.imports });

  const update = (id: number, change: Partial<Pending>) => setFiles((all) => all.map((f) => (f.id === id ? { ...f, ...change } : f)));

  async function add(list: FileList | null) {
    if (!list) return;
    const added = await Promise.all(
      [...list].map(async (file) => ({ id: nextId++, file, kind: await recognise(file), progress: 0, state: "ready" as const })),
    );
    setFiles((all) => [...all, ...added]);
  }

  async function upload(item: Pending) {
    update(item.id, { state: "uploading", progress: 0 });
    const outcome = await uploadFeed(item.file, item.kind || undefined, (progress) => update(item.id, { progress }));
    update(item.id, { state: outcome.ok ? "done" : "failed", outcome, progress: 1 });
    await queryClient.invalidateQueries({ queryKey: queryKeys.imports() });
  }

  /** Every file not sent yet, one after another: each loads whole or not at all, whatever the others do. */
  async function uploadAll() {
    for (const item of files.filter((f) => f.state === "ready")) await upload(item);
  }
  const waiting = files.filter((f) => f.state === "ready").length;
  const busy = files.some((f) => f.state === "uploading");
  const finished = files.filter((f) => f.outcome);
  const failed = finished.filter((f) => !f.outcome!.ok);

  return (
    <>
      <div className="section-head">
        <h1>Upload feeds</h1>
        <div className="actions">
          <SignOutButton everywhere />
        </div>
      </div>
      <p className="muted">
        Polls are merged (a poll already stored is a duplicate); business hours, time zones and the store directory replace those of the
        stores a file names. A file with any invalid row loads nothing.
      </p>
      <div
        className={`dropzone${dragging ? " dragging" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          void add(e.dataTransfer.files);
        }}
      >
        <label className="button-primary">
          Choose CSV files
          <input type="file" accept=".csv,text/csv" multiple className="visually-hidden" onChange={(e) => void add(e.target.files)} />
        </label>
        <span className="muted"> or drop them here</span>
      </div>

      {files.length > 0 && (
        <div className="section-head">
          <p className="muted" role="status">
            {finished.length === 0
              ? `${files.length} ${files.length === 1 ? "file" : "files"} chosen.`
              : `${finished.length - failed.length} of ${finished.length} uploaded ${finished.length === 1 ? "file" : "files"} loaded` +
                (failed.length ? `; not loaded: ${failed.map((f) => f.file.name).join(", ")}.` : ".")}
          </p>
          <button type="button" className="button-primary" onClick={() => void uploadAll()} disabled={busy || waiting === 0}>
            {waiting === 0 ? "Every file sent" : waiting === 1 ? "Upload 1 file" : `Upload all ${waiting} files`}
          </button>
        </div>
      )}
      {files.length > 0 && (
        <ul className="uploads" aria-label="Files to upload">
          {files.map((item) => (
            <li key={item.id} className="upload-item" aria-label={item.file.name}>
              <div className="upload-line">
                <strong>{item.file.name}</strong>
                <span className="muted">{(item.file.size / 1024).toFixed(1)} KB</span>
                <label>
                  Kind
                  <select
                    value={item.kind}
                    onChange={(e) => update(item.id, { kind: e.target.value as FeedKind })}
                    disabled={item.state === "uploading"}
                  >
                    <option value="">not recognised: choose</option>
                    {FEED_KINDS.map((k) => (
                      <option key={k} value={k}>
                        {FEEDS[k].label}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="button" onClick={() => void upload(item)} disabled={busy}>
                  {item.state === "done" || item.state === "failed" ? "Upload again" : "Upload"}
                </button>
              </div>
              {item.state === "uploading" && <ProgressBar value={item.progress} label={`Upload of ${item.file.name}`} />}
              {item.outcome?.ok && (
                <p className="success-text" role="status">
                  {item.file.name} loaded: {item.outcome.result.rowsRead} rows read, {item.outcome.result.rowsAdded} added,{" "}
                  {item.outcome.result.rowsDuplicate} duplicate
                  {item.outcome.result.storesReplaced !== undefined ? `, ${item.outcome.result.storesReplaced} stores' rows replaced` : ""}.
                </p>
              )}
              {item.outcome && !item.outcome.ok && (
                <div className="notice notice-error" role="alert">
                  <strong>{item.file.name} was not loaded (nothing of it was kept):</strong>
                  <pre className="problems">{item.outcome.message}</pre>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}

      {files.some((f) => f.outcome?.ok) && <GenerateAfterUpload />}

      <h2>Import history</h2>
      {history.isPending && <Loading what="the history" />}
      {history.isError && <ErrorState error={history.error} what="the history" />}
      {history.data && <HistoryTable imports={history.data.imports} />}
    </>
  );
}

function HistoryTable({ imports }: { imports: ImportEntry[] }) {
  if (imports.length === 0) return <p className="muted">Nothing has been imported yet.</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Import history, scrollable">
      <table className="data-table" aria-label="Import history">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">File</th>
            <th scope="col">Kind</th>
            <th scope="col" className="num">
              Read
            </th>
            <th scope="col" className="num">
              Added
            </th>
            <th scope="col" className="num">
              Duplicate
            </th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {imports.map((i) => (
            <tr key={i.id}>
              <td>{formatInstant(i.startedAt)}</td>
              <td>{i.actor}</td>
              <td>{i.fileName}</td>
              <td>{i.kind}</td>
              <td className="num">{i.rowsRead}</td>
              <td className="num">{i.rowsAdded}</td>
              <td className="num">{i.rowsDuplicate}</td>
              <td title={i.message ?? undefined}>
                <span className={`badge ${i.outcome === "loaded" ? "badge-complete" : "badge-failed"}`}>{i.outcome}</span>
                {i.outcome !== "loaded" && i.message && <span className="error-text history-message">{i.message.split("\n")[0]}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** After a load, a report with the new data is one press away. */
function GenerateAfterUpload() {
  const router = useRouter();
  const generate = useMutation({ mutationFn: api.triggerReport, onSuccess: ({ report_id: id }) => router.push(`/reports/${id}`) });
  return (
    <div className="notice" role="status">
      <strong>New data is loaded.</strong>
      <p>
        <button type="button" className="button-primary" onClick={() => generate.mutate()} disabled={generate.isPending}>
          Generate a report with the new data
        </button>
      </p>
      {generate.isError && <ErrorState error={generate.error} what="a new report" />}
    </div>
  );
}
