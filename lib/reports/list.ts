import type pg from "pg";
import { pool } from "../db/pool";
import { reportReadPool } from "../db/replica";
import { ALL_STORES, visibleStores, type Scope } from "../auth/scope";
import type { DataStatus, ReportOverview, ReportRowsPage, ReportRowsQuery, ReportSummary, RowFilter, RowSort } from "../api/views/reports";
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

/**
 * Uptime within business hours over the week / day, as a percentage to one decimal; null without business hours.
 * Columns the database works out as each row is written (migration report_pages).
 */
const PERCENT_WEEK = "uptime_percent_week";
const PERCENT_DAY = "uptime_percent_day";

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
 * The rows of report $1 over the stores of `scope`; with `sameStoresAs` ($2), only the stores that report has too.
 * Those are found by counting each store's rows in both reports, not by a join: the planner's statistics know
 * nothing of a report written since report_rows was last analyzed and estimate it at one row, and a join then
 * chose to read one report's rows once per row of the other (14 s at 12,000 stores). This has one plan whatever
 * they say: both reports' rows through the primary key, sorted by store.
 */
function rowsOf(scope: Scope, sameStoresAs?: string): string {
  if (!sameStoresAs) return `SELECT * FROM report_rows WHERE report_id = $1 AND ${visibleStores(scope)}`;
  return `SELECT * FROM (SELECT *, count(*) OVER (PARTITION BY store_id) AS reports FROM report_rows
                         WHERE report_id IN ($1, $2) AND ${visibleStores(scope)}) both_reports
          WHERE report_id = $1 AND reports = 2`;
}

/**
 * The fleet figures of a report's rows over the stores of `scope` (and of `sameStoresAs`' rows, when given):
 * stores with no poll in the week are counted apart and left out of the sums.
 */
async function totalsOf(id: string, scope: Scope, sameStoresAs?: string, db: pg.Pool = pool()): Promise<Totals> {
  const { rows } = await db.query(
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
     FROM (SELECT *, ${WITH_DATA} AS counted FROM (${rowsOf(scope, sameStoresAs)}) rows_of) r`,
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
 * The complete report newest before report `r` (by creation) that the caller whose owners' ids are `param` may
 * see, with whose figures its cards compare.
 */
const previousReport = (param: string) => `SELECT p.id, to_char(p.as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "asOf"
  FROM reports p WHERE p.status = 'Complete' AND p.created_at < r.created_at AND ${visibleReports(param)}
  ORDER BY p.created_at DESC LIMIT 1`;

/**
 * Works out the figures a report keeps as it completes (its run's last step; see migration report_pages): over
 * every store, and the previous complete report's over the same stores. A complete report never changes, so its
 * pages read these instead of summing its rows again: at 100,000 stores that took 0.3 s a view.
 */
export async function keptFigures(id: string): Promise<{ totals: Totals; previousId: string | null; previousTotals: Totals | null }> {
  const { rows } = await pool().query<{ id: string }>(
    `SELECT (SELECT p.id FROM (${previousReport("NULL")}) p) AS id FROM reports r WHERE r.id = $1`,
    [id],
  );
  const previousId = rows[0]?.id ?? null;
  const [totals, previousTotals] = await Promise.all([totalsOf(id, ALL_STORES), previousId ? totalsOf(previousId, ALL_STORES, id) : null]);
  return { totals, previousId, previousTotals };
}

/**
 * A report's state and, once complete, the figures over the stores of `scope`, with those of the newest
 * complete report before it over the same stores: those it kept when it completed, for a caller who sees every
 * store (unless a report made before it completed since), else summed from the rows.
 */
export async function reportOverview(id: string, scope: Scope): Promise<ReportOverview> {
  const db = await reportReadPool(id);
  const state = await reportState(id, scope, db);
  if (state.status !== "Complete") return { ...summary((await storesSeen([state], scope)).get(id) ?? state), totals: null, previous: null };
  const { rows } = await db.query<{
    totals: Totals | null;
    previousId: string | null;
    previousTotals: Totals | null;
    before: { id: string; asOf: string } | null;
  }>(
    `SELECT r.totals, r.previous_id AS "previousId", r.previous_totals AS "previousTotals",
            (SELECT row_to_json(p) FROM (${previousReport("$2")}) p) AS before
     FROM reports r WHERE r.id = $1`,
    [id, scope.all ? null : scope.ownerIds],
  );
  const kept = scope.all ? rows[0] : undefined;
  const before = rows[0]?.before ?? null;
  const [totals, previous] = await Promise.all([
    kept?.totals ?? totalsOf(id, scope, undefined, db),
    !before ? null : kept?.previousId === before.id && kept.previousTotals ? kept.previousTotals : totalsOf(before.id, scope, id, db),
  ]);
  // A caller who sees some stores only is told of those: as many as the report has rows of.
  const seen = scope.all ? state : { ...state, storesTotal: totals.stores, storesDone: totals.stores };
  return { ...summary(seen), totals, previous: previous && before && { ...before, totals: previous } };
}

/** The ORDER BY of each sort (from a fixed list, so it may be spliced into the SQL); ties by store id. */
export function orderBy(sort: RowSort, dir: "asc" | "desc"): string {
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

/** The ILIKE pattern of a search for part of a store's id or name. */
export const searchPattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Which of a report's rows (`r`, joined to the store directory `s` when searching) the table shows over the stores of
 * `scope`: its subset, and its search, whose pattern (searchPattern) is the SQL `pattern` (a parameter or a literal).
 */
export function rowsWhere(query: Pick<ReportRowsQuery, "q" | "only">, scope: Scope, pattern: string): string {
  return [
    ...(query.q !== "" ? [`(r.store_id ILIKE ${pattern} OR s.name ILIKE ${pattern})`] : []),
    ONLY[query.only],
    visibleStores(scope, "r.store_id"),
  ].join(" AND ");
}

/** The kept figure that counts the rows each subset shows, when the page shows every store and searches nothing. */
const KEPT_COUNT: Record<RowFilter, keyof Totals> = {
  all: "stores",
  down_day: "storesDownLastDay",
  bad: "storesBad",
  warning: "storesWarning",
  stale: "storesStale",
  no_data: "storesNoData",
};

/**
 * One page of a report's rows over the stores of `scope`, filtered by id or name and by subset, sorted in SQL.
 * The store directory (names) is joined to the page's rows alone, unless the page is sorted or searched by name;
 * the number of rows comes from the report's kept figures when it can (a complete report, every store, no
 * search), else it is counted. So the first pages in the report page's own order (the worst first) read their 50
 * rows through an index, whatever the report's size.
 */
export async function reportRowsPage(id: string, query: ReportRowsQuery, scope: Scope): Promise<ReportRowsPage> {
  const db = await reportReadPool(id);
  await reportState(id, scope, db); // 400 for a malformed id, 404 for an unknown report or one of another owner's callers
  const search = query.q !== "";
  const where = `r.report_id = $1 AND ${rowsWhere(query, scope, "$2")}`;
  const params = search ? [id, searchPattern(query.q)] : [id];
  const joined = "report_rows r LEFT JOIN stores s USING (store_id)";
  const columns = `store_id, name, ${FIGURE_COLUMNS.map((c) => `${c}::float8`).join(", ")},
    to_char(last_poll_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_poll_at, freshness, ${PERCENT_WEEK}, ${PERCENT_DAY}`;
  const order = orderBy(query.sort, query.dir);
  const page = `LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`;
  const rowsSql =
    search || query.sort === "name"
      ? `SELECT ${columns} FROM ${joined} WHERE ${where} ORDER BY ${order} ${page}`
      : `SELECT ${columns} FROM (SELECT r.* FROM report_rows r WHERE ${where} ORDER BY ${order} ${page}) r
         LEFT JOIN stores s USING (store_id) ORDER BY ${order}`;
  const counted = async () =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${search ? joined : "report_rows r"} WHERE ${where}`, params)).rows[0]!
      .n;
  const kept = async () => {
    if (search || !scope.all) return null;
    const { rows } = await db.query<{ totals: Totals | null }>("SELECT totals FROM reports WHERE id = $1", [id]);
    return (rows[0]?.totals?.[KEPT_COUNT[query.only]] as number | undefined) ?? null;
  };
  const [{ rows }, total] = await Promise.all([db.query(rowsSql, params), kept().then((n) => n ?? counted())]);
  return { total, page: query.page, pageSize: query.pageSize, rows };
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
