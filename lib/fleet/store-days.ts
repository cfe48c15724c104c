import type pg from "pg";
import { PACKED_HOURS_SQL, PACKED_POLLS_AROUND_SQL, toEpochUs, unpackHours, unpackPolls } from "../db/packed-polls";
import { dayRollups, DEFAULT_TIME_ZONE, ZoneClocks } from "../uptime";

// The stores' local days (store_days), kept by recomputing the spans the triggers mark stale (store_days_stale;
// see the fleet model's migration). Each stale span is read with its polls and two days of margin on either side
// (a local day is at most 25 hours and begins at most 25 hours before any of its instants), plus the poll before
// and the poll after them, so a day's nearest polls are all there; the days are computed by the report's engine.

/** Stores refreshed per read: each brings its stale span's polls and its days. */
const STORES_PER_READ = 2000;
const MARGIN_US = 2 * 86_400_000_000;

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
      polls: Buffer | null;
    }>(
      `SELECT r.store_id, ${toEpochUs("r.from_at")} AS from_us, ${toEpochUs("r.to_at")} AS to_us,
              ${toEpochUs("ps.first_poll_at")} AS first_us, ${toEpochUs("ps.last_poll_at")} AS last_us,
              (SELECT z.timezone_str FROM store_timezones z WHERE z.store_id = r.store_id) AS zone,
              ${PACKED_HOURS_SQL("r.store_id")} AS hours,
              ${PACKED_POLLS_AROUND_SQL("r.store_id", "w.lo", "w.hi")} AS polls
       FROM store_days_refresh r
       LEFT JOIN poll_stores ps ON ps.store_id = r.store_id
       CROSS JOIN LATERAL (SELECT greatest(r.from_at - $3::int8 * interval '1 microsecond', ps.first_poll_at) AS lo,
                                  least(r.to_at + $3::int8 * interval '1 microsecond', ps.last_poll_at) AS hi) w
       WHERE r.store_id > $1 ORDER BY r.store_id LIMIT $2`,
      [after, STORES_PER_READ, MARGIN_US],
    );
    if (rows.length === 0) return refreshed;
    after = rows[rows.length - 1]!.store_id;
    const put = {
      store: [] as string[],
      day: [] as number[],
      up: [] as number[],
      down: [] as number[],
      covered: [] as number[],
      polls: [] as number[],
    };
    const kept = { store: [] as string[], lo: [] as number[], hi: [] as number[] };
    for (const r of rows) {
      kept.store.push(r.store_id);
      if (r.first_us === null || r.last_us === null) {
        (kept.lo.push(1), kept.hi.push(0)); // no polls left: none of its days
        continue;
      }
      const clock = clocks.get(r.zone ?? DEFAULT_TIME_ZONE);
      const firstKept = clock.localEpochDay(Number(r.first_us));
      const lastKept = clock.localEpochDay(Number(r.last_us));
      (kept.lo.push(firstKept), kept.hi.push(lastKept));
      const firstDay = Math.max(clock.localEpochDay(Number(r.from_us)), firstKept);
      const lastDay = Math.min(clock.localEpochDay(Number(r.to_us)), lastKept);
      const days = dayRollups({ timeZone: r.zone, hours: unpackHours(r.hours), polls: unpackPolls(r.polls) }, firstDay, lastDay, clocks);
      for (const d of days) {
        (put.store.push(r.store_id), put.day.push(d.epochDay), put.up.push(d.up), put.down.push(d.down));
        (put.covered.push(d.covered), put.polls.push(d.polls));
      }
    }
    await client.query(
      `DELETE FROM store_days d USING unnest($1::text[], $2::int4[], $3::int4[]) AS k(store_id, lo, hi)
       WHERE d.store_id = k.store_id AND (d.day < date '1970-01-01' + k.lo OR d.day > date '1970-01-01' + k.hi)`,
      [kept.store, kept.lo, kept.hi],
    );
    await client.query(
      `INSERT INTO store_days (store_id, day, up_us, down_us, covered_us, polls)
       SELECT store_id, date '1970-01-01' + day, up, down, covered, polls
       FROM unnest($1::text[], $2::int4[], $3::float8[], $4::float8[], $5::float8[], $6::int4[]) AS d(store_id, day, up, down, covered, polls)
       ON CONFLICT (store_id, day) DO UPDATE SET
         up_us = excluded.up_us, down_us = excluded.down_us, covered_us = excluded.covered_us, polls = excluded.polls`,
      [put.store, put.day, put.up, put.down, put.covered, put.polls],
    );
    refreshed.stores += rows.length;
    refreshed.days += put.day.length;
  }
}
