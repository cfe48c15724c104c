import { pool } from "../db/pool";
import { visibleStores, type Scope } from "../auth/scope";
import type { DataStatus, ReportOverview, ReportRowsPage, ReportRowsQuery, ReportSummary } from "../api/schemas";
import { REPORT_STATE_COLUMNS, reportProgress, reportState, type ReportState } from "./read";

function summary(state: ReportState): ReportSummary {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: state.id,
    status: state.status,
    createdAt: state.createdAt.toISOString(),
    startedAt: iso(state.startedAt),
    finishedAt: iso(state.finishedAt),
    asOf: state.asOf,
    asOfSource: state.asOfSource,
    storesTotal: state.storesTotal,
    storesDone: state.storesDone,
    progress: reportProgress(state),
    error: state.error,
  };
}

/**
 * The newest reports first. For a caller who sees some stores only, a complete report counts those stores
 * (a running one shows its progress over all stores, as its job runs).
 */
export async function listReports(scope: Scope, limit = 50): Promise<ReportSummary[]> {
  const { rows } = await pool().query<ReportState>(`SELECT ${REPORT_STATE_COLUMNS} FROM reports ORDER BY created_at DESC LIMIT $1`, [limit]);
  const reports = rows.map(summary);
  const complete = reports.filter((r) => r.status === "Complete").map((r) => r.id);
  if (scope.all || complete.length === 0) return reports;
  const { rows: counts } = await pool().query<{ id: string; stores: number }>(
    `SELECT report_id AS id, count(*)::int AS stores FROM report_rows WHERE report_id = ANY($1) AND ${visibleStores(scope)} GROUP BY 1`,
    [complete],
  );
  const storesOf = new Map(counts.map((c) => [c.id, c.stores]));
  return reports.map((r) => (r.status === "Complete" ? { ...r, storesTotal: storesOf.get(r.id) ?? 0, storesDone: storesOf.get(r.id) ?? 0 } : r));
}

const percent = (up: number, down: number) => (up + down > 0 ? Math.round((1000 * up) / (up + down)) / 10 : null);

/** A report's state and, once complete, the figures over the stores of `scope`. */
export async function reportOverview(id: string, scope: Scope): Promise<ReportOverview> {
  const state = await reportState(id);
  if (state.status !== "Complete") return { ...summary(state), totals: null };
  const { rows } = await pool().query(
    `SELECT count(*)::int AS stores,
            coalesce(sum(uptime_last_hour), 0)::float8 AS uh, coalesce(sum(downtime_last_hour), 0)::float8 AS dh,
            coalesce(sum(uptime_last_day), 0)::float8 AS ud, coalesce(sum(downtime_last_day), 0)::float8 AS dd,
            coalesce(sum(uptime_last_week), 0)::float8 AS uw, coalesce(sum(downtime_last_week), 0)::float8 AS dw,
            count(*) FILTER (WHERE downtime_last_day > 0)::int AS down_day
     FROM report_rows WHERE report_id = $1 AND ${visibleStores(scope)}`,
    [id],
  );
  const t = rows[0];
  return {
    ...summary(state),
    totals: {
      stores: t.stores,
      businessHoursLastWeek: Math.round((t.uw + t.dw) * 100) / 100,
      uptimePercent: { hour: percent(t.uh, t.dh), day: percent(t.ud, t.dd), week: percent(t.uw, t.dw) },
      storesDownLastDay: t.down_day,
    },
  };
}

/** One page of a report's rows over the stores of `scope`, sorted and filtered in SQL. */
export async function reportRowsPage(id: string, query: ReportRowsQuery, scope: Scope): Promise<ReportRowsPage> {
  await reportState(id); // 400 for a malformed id, 404 for an unknown report
  const filter = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  // The sort column comes from a fixed list (the zod enum), so it may be spliced into the SQL.
  const order = query.sort === "store_id" ? `store_id ${query.dir}` : `${query.sort} ${query.dir}, store_id`;
  const { rows } = await pool().query(
    `SELECT store_id, uptime_last_hour::float8, uptime_last_day::float8, uptime_last_week::float8,
            downtime_last_hour::float8, downtime_last_day::float8, downtime_last_week::float8, count(*) OVER ()::int AS total
     FROM report_rows WHERE report_id = $1 AND store_id ILIKE $2 AND ${visibleStores(scope)}
     ORDER BY ${order} LIMIT $3 OFFSET $4`,
    [id, filter, query.pageSize, (query.page - 1) * query.pageSize],
  );
  let total = rows[0]?.total as number | undefined;
  if (total === undefined)
    total = (await pool().query(`SELECT count(*)::int AS n FROM report_rows WHERE report_id = $1 AND store_id ILIKE $2 AND ${visibleStores(scope)}`, [id, filter])).rows[0].n;
  return { total: total ?? 0, page: query.page, pageSize: query.pageSize, rows: rows.map(({ total: _, ...row }) => row) };
}

/** Whether any polls are loaded, and the newest: the dashboard's empty state. Both come from an index. */
export async function dataStatus(): Promise<DataStatus> {
  const { rows } = await pool().query(
    `SELECT to_char(max(timestamp_utc) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS newest FROM polls`,
  );
  return { hasPolls: rows[0].newest !== null, newestPoll: rows[0].newest };
}
