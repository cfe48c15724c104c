"use client";

import Link from "next/link";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, ApiError } from "@/lib/api/client";
import { isFinished, POLL_MS, queryKeys } from "@/lib/api/query-keys";
import type { ReportColumn, ReportOverview, ReportRowsQuery } from "@/lib/api/schemas";
import { ErrorState, Loading, ProgressBar, StatusBadge } from "@/components/ui/states";
import { formatInstant, formatNumber } from "@/components/ui/format";

const COLUMNS: { key: ReportColumn; label: string }[] = [
  { key: "store_id", label: "Store" },
  { key: "uptime_last_hour", label: "Uptime last hour (min)" },
  { key: "uptime_last_day", label: "Uptime last day (h)" },
  { key: "uptime_last_week", label: "Uptime last week (h)" },
  { key: "downtime_last_hour", label: "Downtime last hour (min)" },
  { key: "downtime_last_day", label: "Downtime last day (h)" },
  { key: "downtime_last_week", label: "Downtime last week (h)" },
];

export function ReportView({ id }: { id: string }) {
  const overview = useQuery({
    queryKey: queryKeys.report(id),
    queryFn: () => api.report(id),
    refetchInterval: (query) => (query.state.data && !isFinished(query.state.data.status) ? POLL_MS : false),
  });

  if (overview.isPending) return <Loading what="the report" />;
  if (overview.isError) {
    const unknown = overview.error instanceof ApiError && (overview.error.status === 404 || overview.error.status === 400);
    return unknown ? (
      <div className="notice notice-error" role="alert">
        <strong>Report not found</strong>
        <p>
          There is no report with the id <code>{id}</code>. <Link href="/">Go to the reports list</Link> to open one or generate a new
          one.
        </p>
      </div>
    ) : (
      <ErrorState error={overview.error} what="the report" />
    );
  }
  const report = overview.data;
  return (
    <>
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/">Reports</Link> / <span>{formatInstant(report.createdAt)}</span>
      </nav>
      <div className="section-head">
        <h1>Report as of {formatInstant(report.asOf)}</h1>
        {report.status === "Complete" && (
          <a className="button-primary" href={`/get_report_file/${id}`} download>
            Download CSV
          </a>
        )}
      </div>
      <p>
        <StatusBadge status={report.status} /> <span className="muted">as of {report.asOfSource === "request" ? "the time asked for" : "the newest poll"}</span>
      </p>
      {!isFinished(report.status) && <ProgressBar value={report.progress} label="Report progress" />}
      {report.status === "Failed" && (
        <div className="notice notice-error" role="alert">
          <strong>This report failed.</strong>
          <p>{report.error}</p>
          <p>
            <Link href="/">Generate a new report</Link> once the cause is fixed.
          </p>
        </div>
      )}
      {report.totals && <Totals totals={report.totals} />}
      {report.status === "Complete" && <RowsTable id={id} />}
    </>
  );
}

function Totals({ totals }: { totals: NonNullable<ReportOverview["totals"]> }) {
  const pct = (v: number | null) => (v === null ? "—" : `${v.toFixed(1)}%`);
  const cards: [string, string][] = [
    ["Stores", totals.stores.toLocaleString("en-US")],
    ["Business hours in the last week", `${formatNumber(totals.businessHoursLastWeek)} h`],
    ["Uptime, last hour", pct(totals.uptimePercent.hour)],
    ["Uptime, last day", pct(totals.uptimePercent.day)],
    ["Uptime, last week", pct(totals.uptimePercent.week)],
    ["Stores with downtime in the last day", totals.storesDownLastDay.toLocaleString("en-US")],
  ];
  return (
    <dl className="cards" aria-label="Report summary">
      {cards.map(([label, value]) => (
        <div className="card" key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function RowsTable({ id }: { id: string }) {
  const [query, setQuery] = useState<ReportRowsQuery>({ page: 1, pageSize: 50, sort: "store_id", dir: "asc", q: "" });
  const [filter, setFilter] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setQuery((q) => (q.q === filter ? q : { ...q, q: filter, page: 1 })), 250);
    return () => clearTimeout(timer);
  }, [filter]);
  const rows = useQuery({ queryKey: queryKeys.reportRows(id, query), queryFn: () => api.reportRows(id, query), placeholderData: keepPreviousData });

  const sortBy = (key: ReportColumn) =>
    setQuery((q) => ({ ...q, page: 1, sort: key, dir: q.sort === key ? (q.dir === "asc" ? "desc" : "asc") : key === "store_id" ? "asc" : "desc" }));
  const pages = rows.data ? Math.max(1, Math.ceil(rows.data.total / query.pageSize)) : 1;

  return (
    <section aria-labelledby="stores-heading">
      <div className="section-head">
        <h2 id="stores-heading">Stores</h2>
        <label className="filter">
          Filter by store id
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="part of a store id" />
        </label>
      </div>
      {rows.isError && <ErrorState error={rows.error} what="the rows" />}
      <div className="table-scroll">
        <table className="data-table" aria-label="Report rows" aria-busy={rows.isFetching}>
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c.key} scope="col" className={c.key === "store_id" ? "" : "num"} aria-sort={query.sort === c.key ? (query.dir === "asc" ? "ascending" : "descending") : "none"}>
                  <button type="button" className="sort" onClick={() => sortBy(c.key)}>
                    {c.label}
                    <span aria-hidden="true">{query.sort === c.key ? (query.dir === "asc" ? " ▲" : " ▼") : ""}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.data?.rows.map((r) => (
              <tr key={r.store_id}>
                <td>
                  <Link href={`/stores/${encodeURIComponent(r.store_id)}?report=${id}`} className="store-link">
                    {r.store_id}
                  </Link>
                </td>
                {COLUMNS.slice(1).map((c) => (
                  <td key={c.key} className={`num${c.key.startsWith("downtime") && (r[c.key] as number) > 0 ? " down" : ""}`}>
                    {formatNumber(r[c.key] as number)}
                  </td>
                ))}
              </tr>
            ))}
            {rows.data && rows.data.rows.length === 0 && (
              <tr>
                <td colSpan={COLUMNS.length} className="muted">
                  No store id contains “{query.q}”.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {rows.isPending && <Loading what="rows" />}
      <nav className="pager" aria-label="Pages">
        <button type="button" onClick={() => setQuery((q) => ({ ...q, page: q.page - 1 }))} disabled={query.page <= 1}>
          Previous page
        </button>
        <span aria-live="polite">
          Page {query.page} of {pages} · {rows.data?.total.toLocaleString("en-US") ?? "…"} stores
        </span>
        <button type="button" onClick={() => setQuery((q) => ({ ...q, page: q.page + 1 }))} disabled={query.page >= pages}>
          Next page
        </button>
      </nav>
    </section>
  );
}
