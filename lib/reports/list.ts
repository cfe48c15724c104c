import { pool } from "../db/pool";
import { visibleStores, type Scope } from "../auth/scope";
import type { DataStatus, ReportOverview, ReportRowsPage, ReportRowsQuery, ReportSummary, RowFilter, RowSort } from "../api/schemas";
import { FIGURE_COLUMNS, HEALTH_THRESHOLDS, uptimePercent } from "../uptime";
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

/** The reports a caller may see, with `param` its owners' ids (null: every store): as `seesReport` says, in SQL. */
const visibleReports = (param: string) => `(${param}::text[] IS NULL OR owner_ids IS NULL OR owner_ids && ${param})`;

/**
 * The newest reports that `scope` may see first (every one but those of other owners' callers). For a caller who
 * sees some stores only, each counts those stores only (see storesSeen).
 */
export async function listReports(scope: Scope, limit = 50): Promise<ReportSummary[]> {
  const { rows } = await pool().query<ReportState>(
    `SELECT ${REPORT_STATE_COLUMNS} FROM reports WHERE ${visibleReports("$2")} ORDER BY created_at DESC LIMIT $1`,
    [limit, scope.all ? null : scope.ownerIds],
  );
  const fleet = await fleetFigures(
    rows.filter((r) => r.status === "Complete").map((r) => r.id),
    scope,
  );
  const seen = await storesSeen(
    rows.filter((r) => r.status !== "Complete"),
    scope,
  );
  return rows.map((state) => {
    const r = summary(seen.get(state.id) ?? state);
    const f = fleet.get(r.id);
    if (!f) return r;
    return { ...r, uptimePercentWeek: f.uptimePercentWeek, ...(scope.all ? {} : { storesTotal: f.stores, storesDone: f.stores }) };
  });
}

/**
 * Reports not complete yet as a caller who sees some stores only sees them: its stores among those the report
 * lists (its stores polled by the report's as-of) and among those computed so far. A report's own counts are
 * over every store it covers, which would tell such a caller the size of the fleet.
 */
async function storesSeen(reports: ReportState[], scope: Scope): Promise<Map<string, ReportState>> {
  const listed = reports.filter((r) => r.storesTotal !== null);
  if (scope.all || listed.length === 0) return new Map();
  const { rows } = await pool().query<{ id: string; total: number; done: number }>(
    `SELECT r.id,
            (SELECT count(*) FROM poll_stores WHERE first_poll_at <= r.as_of AND ${visibleStores(scope)})::int AS total,
            (SELECT count(*) FROM report_rows WHERE report_id = r.id AND ${visibleStores(scope)})::int AS done
     FROM reports r WHERE r.id = ANY($1)`,
    [listed.map((r) => r.id)],
  );
  const counts = new Map(rows.map((c) => [c.id, c]));
  return new Map(
    listed.map((r) => {
      const c = counts.get(r.id)!;
      return [r.id, { ...r, storesTotal: c.total, storesDone: Math.min(c.done, c.total) }];
    }),
  );
}

interface FleetFigures {
  stores: number;
  uptimePercentWeek: number | null;
}

/** Complete reports never change: their fleet figures over all stores are kept once read (the list is polled). */
const fleetOverAll = new Map<string, FleetFigures>();
const FLEET_REMEMBERED = 1000;

/** Each complete report's stores seen by `scope`, and their fleet uptime over the week (stores with data only). */
async function fleetFigures(ids: string[], scope: Scope): Promise<Map<string, FleetFigures>> {
  const known = new Map(scope.all ? ids.flatMap((id) => (fleetOverAll.has(id) ? [[id, fleetOverAll.get(id)!] as const] : [])) : []);
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length === 0) return known;
  const { rows } = await pool().query<{ id: string; stores: number; up: number; down: number }>(
    `SELECT report_id AS id, count(*)::int AS stores,
            coalesce(sum(uptime_last_week) FILTER (WHERE ${WITH_DATA}), 0)::float8 AS up,
            coalesce(sum(downtime_last_week) FILTER (WHERE ${WITH_DATA}), 0)::float8 AS down
     FROM report_rows WHERE report_id = ANY($1) AND ${visibleStores(scope)} GROUP BY 1`,
    [missing],
  );
  const found = new Map(rows.map((r) => [r.id, { stores: r.stores, uptimePercentWeek: uptimePercent(r.up, r.down) }]));
  for (const id of missing) {
    const figures = found.get(id) ?? { stores: 0, uptimePercentWeek: null };
    known.set(id, figures);
    if (scope.all) {
      if (fleetOverAll.size >= FLEET_REMEMBERED) fleetOverAll.delete(fleetOverAll.keys().next().value!);
      fleetOverAll.set(id, figures);
    }
  }
  return known;
}

/** Uptime within business hours over the week / day, as a percentage; null without business hours. */
const PERCENT_WEEK = "round((100 * uptime_last_week / nullif(uptime_last_week + downtime_last_week, 0))::numeric, 1)::float8";
const PERCENT_DAY = "round((100 * uptime_last_day / nullif(uptime_last_day + downtime_last_day, 0))::numeric, 1)::float8";

/** The SQL condition of each of the summary cards' subsets (thresholds from lib/uptime/health.ts). */
const WITH_DATA = "freshness IS DISTINCT FROM 'no_data'";
const ONLY: Record<RowFilter, string> = {
  all: "TRUE",
  down_day: `${WITH_DATA} AND downtime_last_day > 0`,
  bad: `${WITH_DATA} AND ${PERCENT_WEEK} < ${HEALTH_THRESHOLDS.warning}`,
  warning: `${WITH_DATA} AND ${PERCENT_WEEK} >= ${HEALTH_THRESHOLDS.warning} AND ${PERCENT_WEEK} < ${HEALTH_THRESHOLDS.fine}`,
  stale: "freshness = 'stale'",
  no_data: "freshness = 'no_data'",
};

type Totals = NonNullable<ReportOverview["totals"]>;

/**
 * The fleet figures of a report's rows over the stores of `scope` (and of `sameStoresAs`' rows, when given):
 * stores with no poll in the week are counted apart and left out of the sums.
 */
async function totalsOf(id: string, scope: Scope, sameStoresAs?: string): Promise<Totals> {
  const same = sameStoresAs ? "AND store_id IN (SELECT store_id FROM report_rows WHERE report_id = $2)" : "";
  const { rows } = await pool().query(
    `SELECT count(*)::int AS stores,
            count(*) FILTER (WHERE counted)::int AS counted,
            count(*) FILTER (WHERE freshness = 'no_data')::int AS no_data,
            count(*) FILTER (WHERE freshness = 'stale')::int AS stale,
            coalesce(sum(uptime_last_hour) FILTER (WHERE counted), 0)::float8 AS uh, coalesce(sum(downtime_last_hour) FILTER (WHERE counted), 0)::float8 AS dh,
            coalesce(sum(uptime_last_day) FILTER (WHERE counted), 0)::float8 AS ud, coalesce(sum(downtime_last_day) FILTER (WHERE counted), 0)::float8 AS dd,
            coalesce(sum(uptime_last_week) FILTER (WHERE counted), 0)::float8 AS uw, coalesce(sum(downtime_last_week) FILTER (WHERE counted), 0)::float8 AS dw,
            count(*) FILTER (WHERE counted AND ${ONLY.down_day})::int AS down_day,
            count(*) FILTER (WHERE counted AND ${ONLY.bad})::int AS bad,
            count(*) FILTER (WHERE counted AND ${ONLY.warning})::int AS warning
     FROM (SELECT *, ${WITH_DATA} AS counted FROM report_rows
           WHERE report_id = $1 AND ${visibleStores(scope)} ${same}) r`,
    sameStoresAs ? [id, sameStoresAs] : [id],
  );
  const t = rows[0];
  return {
    stores: t.stores,
    businessHoursLastWeek: Math.round((t.uw + t.dw) * 100) / 100,
    uptimePercent: { hour: uptimePercent(t.uh, t.dh), day: uptimePercent(t.ud, t.dd), week: uptimePercent(t.uw, t.dw) },
    storesDownLastDay: t.down_day,
    storesCounted: t.counted,
    storesNoData: t.no_data,
    storesStale: t.stale,
    storesBad: t.bad,
    storesWarning: t.warning,
  };
}

/**
 * A report's state and, once complete, the figures over the stores of `scope`, with those of the newest
 * complete report before it over the same stores.
 */
export async function reportOverview(id: string, scope: Scope): Promise<ReportOverview> {
  const state = await reportState(id, scope);
  if (state.status !== "Complete") return { ...summary((await storesSeen([state], scope)).get(id) ?? state), totals: null, previous: null };
  const { rows: before } = await pool().query<{ id: string; asOf: string }>(
    `SELECT id, to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "asOf" FROM reports
     WHERE status = 'Complete' AND created_at < (SELECT created_at FROM reports WHERE id = $1)
       AND ${visibleReports("$2")} ORDER BY created_at DESC LIMIT 1`,
    [id, scope.all ? null : scope.ownerIds],
  );
  const [totals, previous] = await Promise.all([totalsOf(id, scope), before[0] ? totalsOf(before[0].id, scope, id) : null]);
  // A caller who sees some stores only is told of those: as many as the report has rows of.
  const seen = scope.all ? state : { ...state, storesTotal: totals.stores, storesDone: totals.stores };
  return { ...summary(seen), totals, previous: previous && { ...before[0]!, totals: previous } };
}

/** The ORDER BY of each sort (from a fixed list, so it may be spliced into the SQL); ties by store id. */
function orderBy(sort: RowSort, dir: "asc" | "desc"): string {
  const flip = dir === "asc" ? "desc" : "asc";
  switch (sort) {
    case "store_id":
      return `store_id ${dir}`;
    case "health": // the worst first: no data, then the lowest uptime over the week, then over the day
      return `(freshness = 'no_data') ${flip} NULLS LAST, ${PERCENT_WEEK} ${dir} NULLS LAST, ${PERCENT_DAY} ${dir} NULLS LAST, store_id`;
    case "name":
      return `name ${dir} NULLS LAST, store_id`;
    case "uptime_percent_week":
      return `${PERCENT_WEEK} ${dir} NULLS LAST, store_id`;
    case "uptime_percent_day":
      return `${PERCENT_DAY} ${dir} NULLS LAST, store_id`;
    default:
      return `${sort} ${dir} NULLS LAST, store_id`;
  }
}

/** One page of a report's rows over the stores of `scope`, filtered by id or name and by subset, sorted in SQL. */
export async function reportRowsPage(id: string, query: ReportRowsQuery, scope: Scope): Promise<ReportRowsPage> {
  await reportState(id, scope); // 400 for a malformed id, 404 for an unknown report or one of another owner's callers
  const filter = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const where = `report_id = $1 AND (store_id ILIKE $2 OR name ILIKE $2) AND ${ONLY[query.only]} AND ${visibleStores(scope, "r.store_id")}`;
  const from = "report_rows r LEFT JOIN stores s USING (store_id)";
  const { rows } = await pool().query(
    `SELECT store_id, name, ${FIGURE_COLUMNS.map((c) => `${c}::float8`).join(", ")},
            to_char(last_poll_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_poll_at, freshness,
            ${PERCENT_WEEK} AS uptime_percent_week, ${PERCENT_DAY} AS uptime_percent_day, count(*) OVER ()::int AS total
     FROM ${from} WHERE ${where}
     ORDER BY ${orderBy(query.sort, query.dir)} LIMIT $3 OFFSET $4`,
    [id, filter, query.pageSize, (query.page - 1) * query.pageSize],
  );
  let total = rows[0]?.total as number | undefined;
  if (total === undefined) total = (await pool().query(`SELECT count(*)::int AS n FROM ${from} WHERE ${where}`, [id, filter])).rows[0].n;
  return { total: total ?? 0, page: query.page, pageSize: query.pageSize, rows: rows.map(({ total: _, ...row }) => row) };
}

/**
 * Whether any polls are loaded, and the newest: the dashboard's empty state. Both come from an index. With the
 * newest report `scope` may see that nothing loaded since has changed.
 */
export async function dataStatus(scope: Scope): Promise<DataStatus> {
  const { rows } = await pool().query(
    `SELECT to_char(newest AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS newest,
            (SELECT r.id FROM reports r
             WHERE r.status = 'Complete' AND r.as_of_source = 'newest poll' AND r.as_of = p.newest
               AND ${visibleReports("$1")}
               AND NOT EXISTS (SELECT 1 FROM import_log l WHERE l.outcome = 'loaded' AND l.finished_at > r.created_at)
             ORDER BY r.created_at DESC LIMIT 1) AS unchanged
     FROM (SELECT max(timestamp_utc) AS newest FROM polls) p`,
    [scope.all ? null : scope.ownerIds],
  );
  return { hasPolls: rows[0].newest !== null, newestPoll: rows[0].newest, unchangedSince: rows[0].unchanged };
}
