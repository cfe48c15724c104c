import type pg from "pg";
import type { HoursRow, Poll, StoreData } from "../uptime";
import { fromEpochUs, PACKED_HOURS_SQL, PACKED_POLL_SQL, unpackHours, unpackPolls } from "../db/packed-polls";

export { fromEpochUs, toEpochUs } from "../db/packed-polls";

/** A run of consecutive stores (in byte order) of a report: a shard. */
export interface StoreRange {
  first: string;
  last: string;
  stores: number;
}

/** SQL of the condition on poll_stores `p` for a report's stores: a poll at or before $1, of the owners $2 if not null. */
const REPORT_STORES = `p.first_poll_at <= ${fromEpochUs("$1")}
       AND ($2::text[] IS NULL OR p.store_id IN (SELECT store_id FROM stores WHERE owner_id = ANY($2)))`;

/**
 * A report's stores, every store with at least one poll at or before `now` (of `ownerIds` only, when given), cut
 * in byte order into shards of `size`: from poll_stores (kept with the polls), counted in the database, so the
 * caller's memory is that of the shards, not of the fleet (a million stores are a thousand ranges).
 */
export async function storeRangesPolledBy(
  client: pg.ClientBase,
  nowUs: number,
  ownerIds: readonly string[] | null,
  size: number,
): Promise<StoreRange[]> {
  const { rows } = await client.query<StoreRange>(
    `SELECT min(store_id) AS first, max(store_id) AS last, count(*)::int AS stores
     FROM (SELECT p.store_id, (row_number() OVER (ORDER BY p.store_id) - 1) / $3 AS shard FROM poll_stores p WHERE ${REPORT_STORES}) s
     GROUP BY shard ORDER BY shard`,
    [nowUs, ownerIds, size],
  );
  return rows;
}

/**
 * The report's stores (as storeRangesPolledBy), in byte order: all, or those from `range.first` to `range.last`; in
 * the snapshot that cut the range, a shard's stores.
 */
export async function storesPolledBy(
  client: pg.ClientBase,
  nowUs: number,
  ownerIds: readonly string[] | null = null,
  range: Pick<StoreRange, "first" | "last"> | null = null,
): Promise<string[]> {
  const { rows } = await client.query<{ store_id: string }>(
    `SELECT p.store_id FROM poll_stores p WHERE ($3::text IS NULL OR p.store_id BETWEEN $3 AND $4) AND ${REPORT_STORES} ORDER BY p.store_id`,
    [nowUs, ownerIds, range?.first ?? null, range?.last ?? null],
  );
  return rows.map((r) => r.store_id);
}

/**
 * How far back a store's last poll before the window is looked for first. polls is partitioned by month and has
 * a default partition, so "the last poll before" over all of history would probe every month's index (the
 * planner cannot read the months newest first past a default partition); within these days it probes one or
 * two, and only a store with no poll then is looked for further back.
 */
const PROBE_FIRST_DAYS = 35;

/**
 * SQL of the last poll of the store `s.store_id` before the instant `at` (an SQL timestamptz), as a subquery of
 * (timestamp_utc, status): within PROBE_FIRST_DAYS first, then further back.
 */
export const lastPollBefore = (at: string) => `(SELECT timestamp_utc, status FROM (
             (SELECT timestamp_utc, status FROM polls
              WHERE store_id = s.store_id AND timestamp_utc < ${at} AND timestamp_utc >= ${at} - interval '${PROBE_FIRST_DAYS} days'
              ORDER BY timestamp_utc DESC LIMIT 1)
             UNION ALL
             (SELECT timestamp_utc, status FROM polls
              WHERE store_id = s.store_id AND timestamp_utc < ${at} - interval '${PROBE_FIRST_DAYS} days' ORDER BY timestamp_utc DESC LIMIT 1)
           ) before LIMIT 1)`;

/**
 * SQL of the polls of the store `s.store_id` whose time meets `condition`, in time order, or as `order` says
 * (what follows ORDER BY timestamp_utc, e.g. " DESC LIMIT 1").
 */
export const pollsWhere = (condition: string, order = "") =>
  `(SELECT timestamp_utc, status FROM polls WHERE store_id = s.store_id AND ${condition} ORDER BY timestamp_utc${order})`;

/** SQL of the polls of the subqueries `parts`, in this order, packed into one bytea (see unpackPolls). */
export const packedPolls = (...parts: string[]) =>
  `(SELECT string_agg(${PACKED_POLL_SQL("p")}, ''::bytea) FROM (${parts.join(" UNION ALL ")}) p)`;

/** SQL of the zone of the store `s.store_id`, null when it has none. */
export const STORE_ZONE = "(SELECT z.timezone_str FROM store_timezones z WHERE z.store_id = s.store_id)";

/**
 * What the engine needs of `storeIds` for a report ending at `nowUs`: each store's polls from `fromUs` to
 * `nowUs` plus its last poll before `fromUs` (its status carries into the window), its hours and its zone. Each
 * store's polls are read through the primary key, so the cost follows the window, not the history.
 */
export async function loadStoreData(client: pg.ClientBase, storeIds: string[], fromUs: number, nowUs: number): Promise<StoreData[]> {
  // One row per store with its polls, hours and zone packed (lib/db/packed-polls.ts): one query.
  const { rows } = await client.query<{ store_id: string; polls: Buffer | null; hours: string | null; zone: string | null }>(
    `SELECT s.store_id,
       ${packedPolls(lastPollBefore(fromEpochUs("$2")), pollsWhere(`timestamp_utc >= ${fromEpochUs("$2")} AND timestamp_utc <= ${fromEpochUs("$3")}`))} AS polls,
       ${PACKED_HOURS_SQL("s.store_id")} AS hours,
       ${STORE_ZONE} AS zone
     FROM unnest($1::text[]) AS s(store_id)`,
    [storeIds, fromUs, nowUs],
  );
  const byStore = new Map<string, { polls: Poll[]; hours: HoursRow[]; timeZone: string | null }>(
    rows.map((r) => [r.store_id, { polls: unpackPolls(r.polls), hours: unpackHours(r.hours), timeZone: r.zone }]),
  );
  return storeIds.map((storeId) => ({ storeId, ...byStore.get(storeId)! }));
}
