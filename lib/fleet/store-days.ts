import type pg from "pg";
import { fromEpochUs, PACKED_HOURS_SQL, PACKED_POLL_SQL, toEpochUs, unpackHours, unpackPolls } from "../db/packed-polls";
import { CopyIn } from "../db/copy";
import { dayRollups, DEFAULT_TIME_ZONE, ZoneClocks, type Poll } from "../uptime";

// The stores' local days (store_days), kept by recomputing the spans the triggers mark stale (store_days_stale;
// see the fleet model's migration). A stale span becomes the local days it touches (in the store's zone, within the
// days of its polls); those days' polls are read with the poll before and the poll after them, so that every
// instant's nearest poll is there, and the days are computed by the report's engine.

/** Zones' clocks, kept for the process: each caches the offsets of the days it has seen. */
const clocks = new ZoneClocks();

/** Stores refreshed per read: each brings its stale span's polls and its days. */
const STORES_PER_READ = 2000;

/** A local date (days since 1970-01-01) as YYYY-MM-DD. */
const isoDate = (epochDay: number) => new Date(epochDay * 86_400_000).toISOString().slice(0, 10);

export interface Refreshed {
  stores: number;
  days: number;
}

/**
 * Recomputes every stale span of store_days in the caller's transaction, and clears them. A load calls it before it
 * commits; the workers' round calls it for the rest. One at a time (two computing one store's days would both
 * write them), but beside any writer of polls: a span marked stale after this one took the spans stays in
 * store_days_stale (its writer committed later), so its store is computed again by the next refresh, and read from
 * its polls until then, whatever this one saw of it.
 */
export async function refreshStoreDays(client: pg.ClientBase): Promise<Refreshed> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended('fleet:refresh', 0))");
  await client.query("DROP TABLE IF EXISTS store_days_refresh");
  await client.query(
    `CREATE TEMP TABLE store_days_refresh ON COMMIT DROP AS
     WITH taken AS (DELETE FROM store_days_stale RETURNING store_id, from_at, to_at)
     SELECT store_id, min(from_at) AS from_at, max(to_at) AS to_at FROM taken GROUP BY store_id`,
  );
  await client.query("CREATE UNIQUE INDEX ON store_days_refresh (store_id)");
  await client.query("ANALYZE store_days_refresh");
  const refreshed: Refreshed = { stores: 0, days: 0 };
  for (let after = ""; ;) {
    const { rows } = await client.query<{
      store_id: string;
      from_us: string;
      to_us: string;
      first_us: string | null;
      last_us: string | null;
      zone: string | null;
      hours: string | null;
    }>(
      `SELECT r.store_id, ${toEpochUs("r.from_at")} AS from_us, ${toEpochUs("r.to_at")} AS to_us,
              ${toEpochUs("ps.first_poll_at")} AS first_us, ${toEpochUs("ps.last_poll_at")} AS last_us,
              (SELECT z.timezone_str FROM store_timezones z WHERE z.store_id = r.store_id) AS zone,
              ${PACKED_HOURS_SQL("r.store_id")} AS hours
       FROM store_days_refresh r LEFT JOIN poll_stores ps ON ps.store_id = r.store_id
       WHERE r.store_id > $1 ORDER BY r.store_id LIMIT $2`,
      [after, STORES_PER_READ],
    );
    if (rows.length === 0) return refreshed;
    after = rows[rows.length - 1]!.store_id;
    // The local days each store's stale span touches, within those of its polls; then their polls.
    const spans = rows.map((r) => {
      if (r.first_us === null || r.last_us === null) return null; // no polls left: none of its days
      const clock = clocks.get(r.zone ?? DEFAULT_TIME_ZONE);
      const keepFrom = clock.localEpochDay(Number(r.first_us));
      const keepTo = clock.localEpochDay(Number(r.last_us));
      const from = Math.max(clock.localEpochDay(Number(r.from_us)), keepFrom);
      const to = Math.min(clock.localEpochDay(Number(r.to_us)), keepTo);
      return { keepFrom, keepTo, from, to, lo: clock.instantOf(from, 0), hi: clock.instantOf(to + 1, 0) };
    });
    const polls = await pollsAround(
      client,
      rows.flatMap((r, i) => {
        const span = spans[i];
        return span ? [{ storeId: r.store_id, lo: span.lo, hi: span.hi, first: Number(r.first_us), last: Number(r.last_us) }] : [];
      }),
    );
    // Each store's days outside its polls' span go, and those of its stale span are written anew.
    const span = { store: [] as string[], keepFrom: [] as number[], keepTo: [] as number[], from: [] as number[], to: [] as number[] };
    const days: (string | number)[][] = [];
    rows.forEach((r, i) => {
      const s = spans[i] ?? { keepFrom: 1, keepTo: 0, from: 1, to: 0 };
      span.store.push(r.store_id);
      span.keepFrom.push(s.keepFrom);
      span.keepTo.push(s.keepTo);
      span.from.push(s.from);
      span.to.push(s.to);
      if (!spans[i]) return;
      const store = { timeZone: r.zone, hours: unpackHours(r.hours), polls: polls.get(r.store_id) ?? [] };
      for (const d of dayRollups(store, s.from, s.to, clocks))
        days.push([r.store_id, isoDate(d.epochDay), d.up, d.down, d.covered, d.polls]);
    });
    // Found store by store through the primary key (a join would read the whole table), deleted by their row ids.
    await client.query(
      `DELETE FROM store_days WHERE ctid = ANY (ARRAY(
         SELECT d.ctid FROM unnest($1::text[], $2::int4[], $3::int4[], $4::int4[], $5::int4[]) AS k(store_id, keep_from, keep_to, day_from, day_to)
         CROSS JOIN LATERAL (SELECT ctid FROM store_days d WHERE d.store_id = k.store_id
           AND (d.day < date '1970-01-01' + k.keep_from OR d.day > date '1970-01-01' + k.keep_to
                OR d.day BETWEEN date '1970-01-01' + k.day_from AND date '1970-01-01' + k.day_to)) d))`,
      [span.store, span.keepFrom, span.keepTo, span.from, span.to],
    );
    const copy = new CopyIn(client, "store_days", ["store_id", "day", "up_us", "down_us", "covered_us", "polls"]);
    try {
      await copy.write(days);
      await copy.end();
    } catch (e) {
      await copy.abort(e as Error);
      throw e;
    }
    refreshed.stores += rows.length;
    refreshed.days += days.length;
  }
}

/**
 * How far around a span its polls are read at first: pollers send about once an hour, so the poll before and the
 * poll after are nearly always within it, and a span costs one range scan of the index. Only a store silent for
 * longer is probed again for them, and only on the side where the store's first or last poll says one exists.
 */
const MARGIN_US = 6 * 3_600_000_000;
/**
 * How far back the poll before a span is probed first. polls is partitioned by month with a default partition, so
 * "the last poll before" over all of history probes every month's index; within these days it probes one or two.
 */
const PROBE_FIRST_DAYS = 35;

interface SpanToRead {
  storeId: string;
  /** The span [lo, hi), and the store's first and last poll, in epoch microseconds. */
  lo: number;
  hi: number;
  first: number;
  last: number;
}

/** Each store's polls in [lo, hi), with the poll before lo and the poll at or after hi (when there are such polls). */
async function pollsAround(client: pg.ClientBase, spans: SpanToRead[]): Promise<Map<string, Poll[]>> {
  const read = async (sql: string, list: SpanToRead[], params: number[][]) => {
    if (list.length === 0) return new Map<string, Poll[]>();
    const { rows } = await client.query<{ store_id: string; polls: Buffer | null }>(
      `SELECT s.store_id, (SELECT string_agg(${PACKED_POLL_SQL("p")}, ''::bytea ORDER BY p.timestamp_utc) FROM (${sql}) p) AS polls
       FROM unnest($1::text[], $2::int8[], $3::int8[]) AS u(store_id, a_us, b_us)
       CROSS JOIN LATERAL (SELECT u.store_id, ${fromEpochUs("u.a_us")} AS a, ${fromEpochUs("u.b_us")} AS b) s`,
      [list.map((s) => s.storeId), ...params],
    );
    return new Map(rows.map((r) => [r.store_id, unpackPolls(r.polls)]));
  };
  const polls = await read(
    "SELECT timestamp_utc, status FROM polls WHERE store_id = s.store_id AND timestamp_utc >= s.a AND timestamp_utc < s.b",
    spans,
    [spans.map((s) => s.lo - MARGIN_US), spans.map((s) => s.hi + MARGIN_US)],
  );
  const lacking = (side: "before" | "after") =>
    spans.filter((s) => {
      const got = polls.get(s.storeId) ?? [];
      return side === "before"
        ? s.first < s.lo && !(got[0] && got[0].at < s.lo)
        : s.last >= s.hi && !(got.at(-1) && got.at(-1)!.at >= s.hi);
    });
  const [noBefore, noAfter] = [lacking("before"), lacking("after")];
  const before = await read(
    `SELECT timestamp_utc, status FROM (
       (SELECT timestamp_utc, status FROM polls WHERE store_id = s.store_id AND timestamp_utc < s.a
          AND timestamp_utc >= s.a - interval '${PROBE_FIRST_DAYS} days' ORDER BY timestamp_utc DESC LIMIT 1)
       UNION ALL
       (SELECT timestamp_utc, status FROM polls WHERE store_id = s.store_id AND timestamp_utc < s.a - interval '${PROBE_FIRST_DAYS} days'
        ORDER BY timestamp_utc DESC LIMIT 1)) probe LIMIT 1`,
    noBefore,
    [noBefore.map((s) => s.lo), noBefore.map(() => 0)],
  );
  const after = await read(
    "SELECT timestamp_utc, status FROM polls WHERE store_id = s.store_id AND timestamp_utc >= s.a ORDER BY timestamp_utc LIMIT 1",
    noAfter,
    [noAfter.map((s) => s.hi), noAfter.map(() => 0)],
  );
  for (const [storeId, found] of before) polls.set(storeId, [...found, ...(polls.get(storeId) ?? [])]);
  for (const [storeId, found] of after) polls.set(storeId, [...(polls.get(storeId) ?? []), ...found]);
  return polls;
}
