"use client";

import Link from "next/link";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "@/lib/api/client";
import { isFinished, POLL_MS, queryKeys } from "@/lib/api/query-keys";
import { ROW_FILTERS, ROW_SORTS, type RowFilter, type RowSort } from "@/lib/api/views/report-rows";
import type { ReportColumn, ReportOverview, ReportRowsQuery } from "@/lib/api/views/reports";
import { FIGURES } from "@/lib/uptime/figures";
import { HEALTH_THRESHOLDS, healthOf, type Health } from "@/lib/uptime/health";
import { ErrorState, Loading, ProgressBar, StatusBadge } from "@/components/ui/states";
import { formatInstant, formatNumber } from "@/components/ui/format";

const COLUMNS: { key: ReportColumn; label: string }[] = [
  { key: "store_id", label: "Store" },
  ...FIGURES.map((f) => ({ key: f.column, label: f.label })),
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
          There is no report with the id <code>{id}</code>. <Link href="/reports">Go to the reports list</Link> to open one or generate a
          new one.
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
        <Link href="/reports">Reports</Link> / <span>{formatInstant(report.createdAt)}</span>
      </nav>
      <div className="section-head">
        <h1>Report as of {formatInstant(report.asOf)}</h1>
        {report.status === "Complete" && <Downloads id={id} />}
      </div>
      <p>
        <StatusBadge status={report.status} />{" "}
        <span className="muted">as of {report.asOfSource === "request" ? "the time asked for" : "the newest poll"}</span>
      </p>
      {!isFinished(report.status) && <ProgressBar value={report.progress} label="Report progress" />}
      {report.status === "Failed" && (
        <div className="notice notice-error" role="alert">
          <strong>This report failed.</strong>
          <p>{report.error}</p>
          <p>
            <Link href="/reports">Generate a new report</Link> once the cause is fixed.
          </p>
        </div>
      )}
      {report.totals && <Totals report={report} />}
      {report.status === "Complete" && <RowsTable id={id} />}
    </>
  );
}

type Totals = NonNullable<ReportOverview["totals"]>;

interface Card {
  label: string;
  value: string;
  /** What the card counts, in words. */
  explains: string;
  /** The change since the previous report of the same stores, in words; null without one. */
  change: string | null;
  /** The table subset a click on the card shows. */
  only?: RowFilter;
}

/** The summary cards: what each counts, its change since the previous report, and the subset a click shows. */
function cardsOf(totals: Totals, previous: Totals | null): Card[] {
  const pct = (v: number | null) => (v === null ? "—" : `${v.toFixed(1)}%`);
  const points = (now: number | null, then: number | null | undefined) =>
    now === null || then === null || then === undefined
      ? null
      : `${now - then >= 0 ? "+" : "−"}${Math.abs(now - then).toFixed(1)} points since the previous report`;
  const count = (now: number, then: number | undefined) =>
    then === undefined
      ? null
      : now === then
        ? "same as the previous report"
        : `${now > then ? "+" : "−"}${Math.abs(now - then)} since the previous report`;
  const n = (v: number) => v.toLocaleString("en-US");
  return [
    {
      label: "Stores",
      value: n(totals.stores),
      explains:
        totals.storesNoData > 0
          ? `${n(totals.storesNoData)} with no poll in the week are left out of the figures below`
          : "every store has polls in the week",
      change: null,
      only: "all",
    },
    {
      label: "Uptime, last week",
      value: pct(totals.uptimePercent.week),
      explains: `of ${formatNumber(totals.businessHoursLastWeek)} business hours`,
      change: points(totals.uptimePercent.week, previous?.uptimePercent.week),
    },
    {
      label: "Uptime, last day",
      value: pct(totals.uptimePercent.day),
      explains: "within business hours",
      change: points(totals.uptimePercent.day, previous?.uptimePercent.day),
    },
    {
      label: "Uptime, last hour",
      value: pct(totals.uptimePercent.hour),
      explains: "within business hours",
      change: points(totals.uptimePercent.hour, previous?.uptimePercent.hour),
    },
    {
      label: "Stores with downtime in the last day",
      value: n(totals.storesDownLastDay),
      explains: "any time down within business hours",
      change: count(totals.storesDownLastDay, previous?.storesDownLastDay),
      only: "down_day",
    },
    {
      label: `Below ${HEALTH_THRESHOLDS.warning}% over the week`,
      value: n(totals.storesBad),
      explains: "uptime within business hours",
      change: count(totals.storesBad, previous?.storesBad),
      only: "bad",
    },
    {
      label: `${HEALTH_THRESHOLDS.warning}–${HEALTH_THRESHOLDS.fine}% over the week`,
      value: n(totals.storesWarning),
      explains: "uptime within business hours",
      change: count(totals.storesWarning, previous?.storesWarning),
      only: "warning",
    },
    {
      label: "No data in the week",
      value: n(totals.storesNoData),
      explains: "no poll in the week: their figures are extrapolated",
      change: count(totals.storesNoData, previous?.storesNoData),
      only: "no_data",
    },
    {
      label: "Stale",
      value: n(totals.storesStale),
      explains: "last poll more than 90 minutes before the report's time",
      change: count(totals.storesStale, previous?.storesStale),
      only: "stale",
    },
  ];
}

function Totals({ report }: { report: ReportOverview }) {
  const [query, setQuery] = useRowsQuery();
  const cards = cardsOf(report.totals!, report.previous?.totals ?? null);
  return (
    <ul className="cards" aria-label="Report summary">
      {cards.map((card) => {
        const body = (
          <>
            <span className="card-label">{card.label}</span>
            <span className="card-value">{card.value}</span>
            <span className="card-note">{card.explains}</span>
            {card.change && <span className="card-note">{card.change}</span>}
          </>
        );
        if (!card.only)
          return (
            <li className="card" key={card.label}>
              {body}
            </li>
          );
        const pressed = query.only === card.only;
        return (
          <li className={`card card-filter${pressed ? " card-pressed" : ""}`} key={card.label}>
            <button
              type="button"
              aria-pressed={pressed}
              onClick={() => setQuery({ only: card.only!, page: 1 })}
              title="Show these stores in the table"
            >
              {body}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

const DEFAULTS: ReportRowsQuery = { page: 1, pageSize: 50, sort: "health", dir: "asc", q: "", only: "all" };

/** The table's state from the address; anything unknown there is left at its default. */
function rowsQueryOf(params: URLSearchParams): ReportRowsQuery {
  const page = Number(params.get("page"));
  const pick = <T extends string>(value: string | null, allowed: readonly T[], fallback: T) =>
    allowed.includes(value as T) ? (value as T) : fallback;
  return {
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: DEFAULTS.pageSize,
    sort: pick(params.get("sort"), ROW_SORTS, DEFAULTS.sort),
    dir: pick(params.get("dir"), ["asc", "desc"] as const, DEFAULTS.dir),
    q: (params.get("q") ?? "").slice(0, 200),
    only: pick(params.get("only"), ROW_FILTERS, DEFAULTS.only),
  };
}

/** The table's sort, filter and page, kept in the address: Back, reload and a shared link keep them. */
function useRowsQuery(): [ReportRowsQuery, (change: Partial<ReportRowsQuery>, replace?: boolean) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const query = rowsQueryOf(params);
  const set = useCallback(
    (change: Partial<ReportRowsQuery>, replace = false) => {
      // From the address as it is now, not as it was at this render: a debounced search must not undo a sort.
      const next = { ...rowsQueryOf(new URLSearchParams(window.location.search)), ...change };
      const search = new URLSearchParams();
      for (const key of ["sort", "dir", "q", "only", "page"] as const) if (next[key] !== DEFAULTS[key]) search.set(key, String(next[key]));
      const url = search.size ? `${pathname}?${search}` : pathname;
      if (replace) router.replace(url, { scroll: false });
      else router.push(url, { scroll: false });
    },
    [pathname, router],
  );
  return [query, set];
}

/**
 * The report's two files: the spreadsheet, with the stores' names and the table's subset, search and order, and the
 * API's CSV (the public contract: store ids and figures, every store the caller sees).
 */
function Downloads({ id }: { id: string }) {
  const [query] = useRowsQuery();
  const shown = new URLSearchParams();
  for (const key of ["sort", "dir", "q", "only"] as const) if (query[key] !== DEFAULTS[key]) shown.set(key, query[key]);
  return (
    <div className="actions" role="group" aria-label="Download this report">
      <a className="button-primary" href={`/api/reports/${id}/spreadsheet${shown.size ? `?${shown}` : ""}`} download>
        Spreadsheet (names, filters applied)
      </a>
      <a className="button" href={`/get_report_file/${id}`} download>
        API CSV (contract)
      </a>
    </div>
  );
}

const healthLabel: Record<Health, string> = { fine: "fine", warning: "warning", bad: "bad", none: "no business hours" };

function RowsTable({ id }: { id: string }) {
  const [query, setQuery] = useRowsQuery();
  const [filter, setFilter] = useState(query.q);
  // Back and forward change the address: the box follows it (but not the search it sent itself, which the
  // person may have typed further since).
  const [shownQ, setShownQ] = useState(query.q);
  const [sentQ, setSentQ] = useState(query.q);
  if (shownQ !== query.q) {
    setShownQ(query.q);
    if (query.q !== sentQ) setFilter(query.q);
  }
  useEffect(() => {
    if (filter === query.q) return;
    const timer = setTimeout(() => {
      setSentQ(filter);
      setQuery({ q: filter, page: 1 }, true);
    }, 250);
    return () => clearTimeout(timer);
  }, [filter, query.q, setQuery]);
  const rows = useQuery({
    queryKey: queryKeys.reportRows(id, query),
    queryFn: () => api.reportRows(id, query),
    placeholderData: keepPreviousData,
  });

  const sortBy = (key: RowSort) =>
    setQuery({
      page: 1,
      sort: key,
      dir:
        query.sort === key
          ? query.dir === "asc"
            ? "desc"
            : "asc"
          : key === "store_id" || key === "name" || key === "health" || key.startsWith("uptime_percent")
            ? "asc"
            : "desc",
    });
  const pages = rows.data ? Math.max(1, Math.ceil(rows.data.total / query.pageSize)) : 1;
  const header = (key: RowSort, label: string, numeric = true) => (
    <th
      key={key}
      scope="col"
      className={numeric ? "num" : ""}
      aria-sort={query.sort === key ? (query.dir === "asc" ? "ascending" : "descending") : "none"}
    >
      <button type="button" className="sort" onClick={() => sortBy(key)}>
        {label}
        <span aria-hidden="true">{query.sort === key ? (query.dir === "asc" ? " ▲" : " ▼") : ""}</span>
      </button>
    </th>
  );

  return (
    <section aria-labelledby="stores-heading">
      <div className="section-head">
        <h2 id="stores-heading">Stores{query.only !== "all" && <span className="muted"> · {ONLY_LABEL[query.only]}</span>}</h2>
        {query.only !== "all" && (
          <button type="button" onClick={() => setQuery({ only: "all", page: 1 })}>
            Show all stores
          </button>
        )}
        <label className="filter">
          Find a store by name or id
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="name or part of an id" />
        </label>
      </div>
      {rows.isError && <ErrorState error={rows.error} what="the rows" />}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Report rows, scrollable">
        <table className="data-table" aria-label="Report rows" aria-busy={rows.isFetching}>
          <thead>
            <tr>
              {header("name", "Store", false)}
              {header("health", `Uptime, week`)}
              {header("uptime_percent_day", "Uptime, day")}
              {header("last_poll_at", "Last poll", false)}
              {COLUMNS.slice(1).map((c) => header(c.key, c.label))}
            </tr>
          </thead>
          <tbody>
            {rows.data?.rows.map((r) => {
              const health = r.freshness === "no_data" ? null : healthOf(r.uptime_percent_week);
              return (
                <tr key={r.store_id}>
                  <td>
                    <Link href={`/stores/${encodeURIComponent(r.store_id)}?report=${id}`} className="store-link">
                      {r.name ?? r.store_id}
                    </Link>
                    {r.name && <span className="store-id">{r.store_id}</span>}
                  </td>
                  <td className="num">
                    {health ? (
                      <span className={`health health-${health}`} title={healthLabel[health]}>
                        {r.uptime_percent_week === null ? "—" : `${r.uptime_percent_week.toFixed(1)}%`}
                        <span className="visually-hidden"> ({healthLabel[health]})</span>
                      </span>
                    ) : (
                      <span className="health health-nodata">no data</span>
                    )}
                  </td>
                  <td className="num">{r.uptime_percent_day === null ? "—" : `${r.uptime_percent_day.toFixed(1)}%`}</td>
                  <td>
                    {r.last_poll_at ? formatInstant(r.last_poll_at) : "—"}
                    {r.freshness === "stale" && <span className="freshness"> stale</span>}
                  </td>
                  {COLUMNS.slice(1).map((c) => (
                    <td key={c.key} className={`num${c.key.startsWith("downtime") && (r[c.key] as number) > 0 ? " down" : ""}`}>
                      {formatNumber(r[c.key] as number)}
                    </td>
                  ))}
                </tr>
              );
            })}
            {rows.data && rows.data.rows.length === 0 && (
              <tr>
                <td colSpan={COLUMNS.length + 3} className="muted">
                  {query.q ? `No store's name or id contains “${query.q}”.` : "No store here."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {rows.data?.rows.some((r) => r.freshness === "no_data") && (
        <p className="muted">
          “no data”: the store has no poll in the week before the report&apos;s time; its figures are extrapolated from an older poll and
          the summary leaves it out.
        </p>
      )}
      {rows.isPending && <Loading what="rows" />}
      <nav className="pager" aria-label="Pages">
        <button type="button" onClick={() => setQuery({ page: query.page - 1 })} disabled={query.page <= 1}>
          Previous page
        </button>
        <label className="page-jump">
          Page
          <input
            type="number"
            min={1}
            max={pages}
            key={query.page}
            defaultValue={query.page}
            onKeyDown={(e) => {
              const page = Number(e.currentTarget.value);
              if (e.key === "Enter" && Number.isInteger(page) && page >= 1 && page <= pages) setQuery({ page });
            }}
          />
          <span aria-live="polite">
            of {pages} · {rows.data?.total.toLocaleString("en-US") ?? "…"} stores
          </span>
        </label>
        <button type="button" onClick={() => setQuery({ page: query.page + 1 })} disabled={query.page >= pages}>
          Next page
        </button>
      </nav>
    </section>
  );
}

const ONLY_LABEL: Record<RowFilter, string> = {
  all: "all",
  down_day: "with downtime in the last day",
  bad: `below ${HEALTH_THRESHOLDS.warning}% over the week`,
  warning: `${HEALTH_THRESHOLDS.warning}–${HEALTH_THRESHOLDS.fine}% over the week`,
  stale: "stale",
  no_data: "no data in the week",
};
