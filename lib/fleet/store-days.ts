import type pg from "pg";
import { fromEpochUs, PACKED_HOURS_SQL, PACKED_POLL_SQL, toEpochUs, unpackHours, unpackPolls } from "../db/packed-polls";
import { CopyIn } from "../db/copy";
import { dayRollups, DEFAULT_TIME_ZONE, ZoneClocks, type Poll } from "../uptime";

// The stores' local days (store_days), kept by recomputing the spans the triggers mark stale (store_days_stale;
// see the fleet model's migration). A stale span becomes the local days it touches (in the store's zone, within the
// days of its polls); those days' polls are read with the poll before and the poll after them, so that every
// instant's nearest poll is there, and the days are computed by the report's engine.

/** Stores refreshed per read: each brings its stale span's polls and its days. */
const STORES_PER_READ = 2000;

/** A local date (days since 1970-01-01) as YYYY-MM-DD. */
const isoDate = (epochDay: number) => new Date(epochDay * 86_400_000).toISOString().slice(0, 10);

export interface Refreshed {
  stores: number;
  days: number;
}

/**
 * Recomputes every stale span of store_days in the caller's transaction, and clears them. A writer of polls or of
 * stores' hours and zones calls it before it commits; the workers' round calls it for anything else. Callers hold
 * the loads' turn, so no other writer changes those stores' polls meanwhile.
 */
export async function refreshStoreDays(client: pg.ClientBase): Promise<Refreshed> {
  await client.query("DROP TABLE IF EXISTS store_days_refresh");
  await client.query(
    `CREATE TEMP TABLE store_days_refresh ON COMMIT DROP AS
     WITH taken AS (DELETE FROM store_days_stale RETURNING store_id, from_at, to_at)
     SELECT store_id, min(from_at) AS from_at, max(to_at) AS to_at FROM taken GROUP BY store_id`,
  );
  await client.query("CREATE UNIQUE INDEX ON store_days_refresh (store_id)");
  const clocks = new ZoneClocks();
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
      rows.flatMap((r, i) => (spans[i] ? [{ storeId: r.store_id, lo: spans[i].lo, hi: spans[i].hi }] : [])),
    );
    // Each store's days outside its polls' span go, and those of its stale span are written anew.
    const span = { store: [] as string[], keepFrom: [] as number[], keepTo: [] as number[], from: [] as number[], to: [] as number[] };
    const days: (string | number)[][] = [];
    rows.forEach((r, i) => {
      const s = spans[i] ?? { keepFrom: 1, keepTo: 0, from: 1, to: 0 };
      (span.store.push(r.store_id), span.keepFrom.push(s.keepFrom), span.keepTo.push(s.keepTo), span.from.push(s.from), span.to.push(s.to));
      if (!spans[i]) return;
      const store = { timeZone: r.zone, hours: unpackHours(r.hours), polls: polls.get(r.store_id) ?? [] };
      for (const d of dayRollups(store, s.from, s.to, clocks))
        days.push([r.store_id, isoDate(d.epochDay), d.up, d.down, d.covered, d.polls]);
    });
    await client.query(
      `DELETE FROM store_days d USING unnest($1::text[], $2::int4[], $3::int4[], $4::int4[], $5::int4[]) AS k(store_id, keep_from, keep_to, day_from, day_to)
       WHERE d.store_id = k.store_id
         AND (d.day < date '1970-01-01' + k.keep_from OR d.day > date '1970-01-01' + k.keep_to
              OR d.day BETWEEN date '1970-01-01' + k.day_from AND date '1970-01-01' + k.day_to)`,
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
 * How far back the poll before a span is looked for first. polls is partitioned by month with a default partition,
 * so "the last poll before" over all of history probes every month's index; within these days it probes one or two.
 */
const PROBE_FIRST_DAYS = 35;

/** Each store's polls in [lo, hi) (epoch microseconds), with the poll before and the poll at or after hi. */
async function pollsAround(client: pg.ClientBase, spans: { storeId: string; lo: number; hi: number }[]): Promise<Map<string, Poll[]>> {
  const { rows } = await client.query<{ store_id: string; polls: Buffer | null }>(
    `SELECT s.store_id,
       (SELECT string_agg(${PACKED_POLL_SQL("p")}, ''::bytea ORDER BY p.timestamp_utc) FROM (
          (SELECT timestamp_utc, status FROM (
             (SELECT timestamp_utc, status FROM polls WHERE store_id = s.store_id AND timestamp_utc < s.lo
                AND timestamp_utc >= s.lo - interval '${PROBE_FIRST_DAYS} days' ORDER BY timestamp_utc DESC LIMIT 1)
             UNION ALL
             (SELECT timestamp_utc, status FROM polls WHERE store_id = s.store_id AND timestamp_utc < s.lo - interval '${PROBE_FIRST_DAYS} days'
              ORDER BY timestamp_utc DESC LIMIT 1)
           ) before LIMIT 1)
          UNION ALL
          (SELECT timestamp_utc, status FROM polls WHERE store_id = s.store_id AND timestamp_utc >= s.lo AND timestamp_utc < s.hi)
          UNION ALL
          (SELECT timestamp_utc, status FROM polls WHERE store_id = s.store_id AND timestamp_utc >= s.hi ORDER BY timestamp_utc LIMIT 1)
        ) p) AS polls
     FROM unnest($1::text[], $2::int8[], $3::int8[]) AS u(store_id, lo_us, hi_us)
     CROSS JOIN LATERAL (SELECT u.store_id, ${fromEpochUs("u.lo_us")} AS lo, ${fromEpochUs("u.hi_us")} AS hi) s`,
    [spans.map((s) => s.storeId), spans.map((s) => s.lo), spans.map((s) => s.hi)],
  );
  return new Map(rows.map((r) => [r.store_id, unpackPolls(r.polls)]));
}
