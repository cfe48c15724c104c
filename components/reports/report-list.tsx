"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "@/lib/api/client";
import { isFinished, POLL_MS, queryKeys } from "@/lib/api/query-keys";
import type { ReportSummary } from "@/lib/api/views/reports";
import { ErrorState, Loading, ProgressBar, StatusBadge } from "@/components/ui/states";
import { formatDuration, formatInstant } from "@/components/ui/format";

export function ReportList() {
  const queryClient = useQueryClient();
  const reports = useQuery({
    queryKey: queryKeys.reports(),
    queryFn: api.reports,
    // Poll while any report is being made; stop once all are Complete or Failed.
    refetchInterval: (query) => (query.state.data?.reports.some((r) => !isFinished(r.status)) ? POLL_MS : false),
  });
  const generate = useMutation({
    mutationFn: api.triggerReport,
    onSuccess: () => {
      setAsked(false);
      return queryClient.invalidateQueries({ queryKey: queryKeys.reports() });
    },
  });
  // Nothing loaded since the newest report: say so, rather than make the same report again. Until the list has
  // answered that is not known, so the button waits for it (a click in that moment would make a copy unasked).
  const [asked, setAsked] = useState(false);
  const unchanged = reports.data?.data.unchangedSince ?? null;
  const onGenerate = () => (unchanged && !asked ? setAsked(true) : generate.mutate());

  return (
    <section aria-labelledby="reports-heading">
      <div className="section-head">
        <h1 id="reports-heading">Reports</h1>
        <button type="button" className="button-primary" onClick={onGenerate} disabled={generate.isPending || reports.isPending}>
          {generate.isPending ? "Starting…" : "Generate report"}
        </button>
      </div>
      <p className="muted">
        Each report gives, for every store, its uptime and downtime within business hours over the last hour, day and week before the newest
        poll.
      </p>
      {asked && unchanged && (
        <div className="notice" role="alert">
          <strong>Nothing has changed since the newest report.</strong>
          <p>No feed has been loaded since it was made, and it is as of the newest poll: a new one would be the same.</p>
          <p className="actions">
            <Link className="button-primary" href={`/reports/${unchanged}`}>
              Open it
            </Link>
            <button type="button" onClick={() => generate.mutate()}>
              Generate anyway
            </button>
          </p>
        </div>
      )}
      {generate.isError && <ErrorState error={generate.error} what="a new report" />}
      {reports.isPending && <Loading what="reports" />}
      {reports.isError && <ErrorState error={reports.error} what="the reports" />}
      {reports.data && !reports.data.data.hasPolls && (
        <div className="notice" role="note">
          <strong>No data loaded yet.</strong>
          <p>
            Load the three feeds (polls, business hours, time zones) with <code>npm run db:load -- &lt;directory&gt;</code>, then generate a
            report.
          </p>
        </div>
      )}
      {reports.data && reports.data.reports.length === 0 && reports.data.data.hasPolls && (
        <p className="notice">No reports yet. Press “Generate report” to make the first one.</p>
      )}
      {reports.data && <Trend reports={reports.data.reports} />}
      {reports.data && reports.data.reports.length > 0 && <ReportsTable reports={reports.data.reports} />}
    </section>
  );
}

/** Fleet uptime over the week across the complete reports, oldest first (the table below has the figures). */
function Trend({ reports }: { reports: ReportSummary[] }) {
  const points = reports.filter((r) => r.status === "Complete" && r.uptimePercentWeek != null).reverse();
  if (points.length < 2) return null;
  const [width, height] = [640, 90];
  const values = points.map((r) => r.uptimePercentWeek!);
  const low = Math.max(0, Math.floor(Math.min(...values) - 2));
  const x = (i: number) => 10 + (i * (width - 20)) / (points.length - 1);
  const y = (v: number) => 10 + ((100 - v) / (100 - low || 1)) * (height - 20);
  return (
    <figure className="trend">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Fleet uptime over the week, from ${values[0]!.toFixed(1)}% to ${values.at(-1)!.toFixed(1)}% over the last ${points.length} reports`}
      >
        <line x1={0} x2={width} y1={y(100)} y2={y(100)} className="grid" />
        <polyline points={values.map((v, i) => `${x(i)},${y(v)}`).join(" ")} className="trend-line" />
        {values.map((v, i) => (
          <circle key={points[i]!.id} cx={x(i)} cy={y(v)} r={3} className="trend-point">
            <title>{`${formatInstant(points[i]!.asOf)}: ${v.toFixed(1)}%`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="muted small">
        Fleet uptime within business hours over the week, report by report ({low}% to 100%); the figures are in the table.
      </figcaption>
    </figure>
  );
}

function ReportsTable({ reports }: { reports: ReportSummary[] }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Past reports, scrollable">
      <table className="data-table reports-table" aria-label="Past reports">
        <thead>
          <tr>
            <th scope="col" className="wide-only">
              Created
            </th>
            <th scope="col">As of</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Uptime, week
            </th>
            <th scope="col" className="wide-only">
              Duration
            </th>
            <th scope="col" className="num wide-only">
              Stores
            </th>
            <th scope="col">
              <span className="visually-hidden">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {reports.map((r) => (
            <tr key={r.id} data-report-id={r.id}>
              <td className="wide-only">{formatInstant(r.createdAt)}</td>
              <td>{formatInstant(r.asOf)}</td>
              <td>
                <StatusBadge status={r.status} />
                {!isFinished(r.status) && <ProgressBar value={r.progress} label={`Progress of report ${r.id}`} />}
                {r.status === "Failed" && <p className="error-text">{r.error}</p>}
              </td>
              <td className="num">{r.uptimePercentWeek == null ? "—" : `${r.uptimePercentWeek.toFixed(1)}%`}</td>
              <td className="wide-only">{formatDuration(r.startedAt, r.finishedAt)}</td>
              <td className="num wide-only">{r.storesTotal?.toLocaleString("en-US") ?? "—"}</td>
              <td>
                {r.status === "Complete" && (
                  <Link href={`/reports/${r.id}`} aria-label={`Open report created ${formatInstant(r.createdAt)}`}>
                    Open
                  </Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
