"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api/client";
import { isFinished, POLL_MS, queryKeys } from "@/lib/api/query-keys";
import type { ReportSummary } from "@/lib/api/schemas";
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
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.reports() }),
  });

  return (
    <section aria-labelledby="reports-heading">
      <div className="section-head">
        <h1 id="reports-heading">Reports</h1>
        <button type="button" className="button-primary" onClick={() => generate.mutate()} disabled={generate.isPending}>
          {generate.isPending ? "Starting…" : "Generate report"}
        </button>
      </div>
      <p className="muted">
        Each report gives, for every store, its uptime and downtime within business hours over the last hour, day and week
        before the newest poll.
      </p>
      {generate.isError && <ErrorState error={generate.error} what="a new report" />}
      {reports.isPending && <Loading what="reports" />}
      {reports.isError && <ErrorState error={reports.error} what="the reports" />}
      {reports.data && !reports.data.data.hasPolls && (
        <div className="notice" role="note">
          <strong>No data loaded yet.</strong>
          <p>
            Load the three feeds (polls, business hours, time zones) with <code>npm run db:load -- &lt;directory&gt;</code>, then
            generate a report.
          </p>
        </div>
      )}
      {reports.data && reports.data.reports.length === 0 && reports.data.data.hasPolls && (
        <p className="notice">No reports yet. Press “Generate report” to make the first one.</p>
      )}
      {reports.data && reports.data.reports.length > 0 && <ReportsTable reports={reports.data.reports} />}
    </section>
  );
}

function ReportsTable({ reports }: { reports: ReportSummary[] }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Past reports, scrollable">
      <table className="data-table" aria-label="Past reports">
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">As of</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col" className="num">
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
              <td>{formatInstant(r.createdAt)}</td>
              <td>{formatInstant(r.asOf)}</td>
              <td>
                <StatusBadge status={r.status} />
                {!isFinished(r.status) && <ProgressBar value={r.progress} label={`Progress of report ${r.id}`} />}
                {r.status === "Failed" && <p className="error-text">{r.error}</p>}
              </td>
              <td>{formatDuration(r.startedAt, r.finishedAt)}</td>
              <td className="num">{r.storesTotal?.toLocaleString("en-US") ?? "—"}</td>
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
