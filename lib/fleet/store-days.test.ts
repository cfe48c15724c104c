// The fleet model (each store's state in poll_stores, its local days in store_days) stays what a recomputation
// from polls gives, through random sequences of every way polls, hours and zones are written: loads merging later
// and earlier polls, replaces, first loads, hours and zones changed, deletes and updates made directly, retention
// dropping months, and a truncate.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { setUpTestDatabase } from "../../tests/database";
import { pool } from "../db/pool";
import { dropExpiredPolls } from "../db/poll-partitions";
import { toEpochUs, unpackHours } from "../db/packed-polls";
import { loadFeeds } from "../feeds/load";
import { FEEDS } from "../feeds/kinds";
import { recordsSource } from "../feeds/rows";
import { dayRollups, DEFAULT_TIME_ZONE, ZoneClocks, type Poll } from "../uptime";
import { refreshStaleDays } from "./jobs";

await setUpTestDatabase();

const STORES = ["a", "b", "c", "d", "e"];
const ZONES = [null, "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/Santiago", "Europe/London"];
/** Polls fall between 2024-08-20 and 2024-11-10 (UTC): three month partitions, DST changes in four of the zones. */
const FROM = Date.UTC(2024, 7, 20) * 1000;
const SPAN = 82 * 86_400_000_000;
const HOUR = 3_600_000_000;

const isoOf = (us: number) => {
  const ms = Math.floor(us / 1000);
  return new Date(ms)
    .toISOString()
    .replace("Z", `${String(us - ms * 1000).padStart(3, "0")} UTC`)
    .replace("T", " ");
};

type Op =
  | { kind: "append"; stores: string[]; count: number; seed: number }
  | { kind: "backfill"; polls: { store: string; at: number; active: boolean }[] }
  | { kind: "hours"; store: string; rows: { day: number; start: number; end: number }[] }
  | { kind: "zone"; store: string; zone: string | null }
  | { kind: "replace"; polls: { store: string; at: number; active: boolean }[] }
  | { kind: "delete"; store: string; from: number; to: number }
  | { kind: "flip"; store: string; from: number; to: number }
  | { kind: "insertDirect"; store: string; at: number; active: boolean }
  | { kind: "retention"; days: number }
  | { kind: "truncate" };

const store = fc.constantFrom(...STORES);
const instant = fc.integer({ min: 0, max: SPAN / 1000 }).map((ms) => FROM + ms * 1000 + (ms % 7) * 13);
const poll = fc.record({ store, at: instant, active: fc.boolean() });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      stores: fc.subarray(STORES, { minLength: 1 }),
      count: fc.integer({ min: 1, max: 30 }),
      seed: fc.nat(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("backfill" as const), polls: fc.array(poll, { minLength: 1, maxLength: 20 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("hours" as const),
      store,
      rows: fc.array(
        fc.record({
          day: fc.integer({ min: 0, max: 6 }),
          start: fc.integer({ min: 0, max: 86_399 }),
          end: fc.integer({ min: 0, max: 86_399 }),
        }),
        { maxLength: 5 },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("zone" as const), store, zone: fc.constantFrom(...ZONES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("replace" as const), polls: fc.array(poll, { maxLength: 60 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), store, from: instant, to: instant }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("flip" as const), store, from: instant, to: instant }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("insertDirect" as const), store, at: instant, active: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retention" as const), days: fc.integer({ min: 20, max: 70 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "truncate" as const }) },
);

const pollRecords = (polls: { store: string; at: number; active: boolean }[]) =>
  recordsSource(
    "polls",
    FEEDS.polls,
    polls.map((p) => ({ store_id: p.store, timestamp_utc: isoOf(p.at), status: p.active ? "active" : "inactive" })),
  );
const hhmmss = (s: number) => [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, "0")).join(":");

async function apply(o: Op): Promise<void> {
  const db = pool();
  switch (o.kind) {
    case "append": {
      // Pollers sending what they saw: each store's polls after its last one, about an hour apart.
      const { rows } = await db.query<{ store_id: string; last: string }>(
        `SELECT store_id, ${toEpochUs("last_poll_at")} AS last FROM poll_stores`,
      );
      const last = new Map(rows.map((r) => [r.store_id, Number(r.last)]));
      const polls = o.stores.flatMap((s, i) =>
        Array.from({ length: o.count }, (_, k) => ({
          store: s,
          at: (last.get(s) ?? FROM) + (k + 1) * HOUR + ((o.seed * (i + 1) * (k + 7)) % 1_800_000_000) - 900_000_000,
          active: (o.seed >> (k % 20)) % 3 !== 0,
        })),
      );
      return void (await loadFeeds([pollRecords(polls)]));
    }
    case "backfill":
      return void (await loadFeeds([pollRecords(o.polls)]));
    case "hours":
      return void (await loadFeeds([
        recordsSource(
          "hours",
          FEEDS.business_hours,
          o.rows.length === 0
            ? [{ store_id: o.store, day: "0", start_time_local: "00:00:00", end_time_local: "00:00:00" }]
            : o.rows.map((r) => ({
                store_id: o.store,
                day: String(r.day),
                start_time_local: hhmmss(r.start),
                end_time_local: hhmmss(r.end),
              })),
        ),
      ]));
    case "zone":
      if (o.zone === null) return void (await db.query("DELETE FROM store_timezones WHERE store_id = $1", [o.store]));
      return void (await loadFeeds([recordsSource("zones", FEEDS.time_zones, [{ store_id: o.store, timezone_str: o.zone }])]));
    case "replace":
      return void (await loadFeeds([pollRecords(o.polls)], { replace: true }));
    case "delete":
      return void (await db.query(`DELETE FROM polls WHERE store_id = $1 AND timestamp_utc BETWEEN ${fromUs("$2")} AND ${fromUs("$3")}`, [
        o.store,
        Math.min(o.from, o.to),
        Math.max(o.from, o.to),
      ]));
    case "flip":
      return void (await db.query(
        `UPDATE polls SET status = CASE WHEN status = 'active' THEN 'inactive'::poll_status ELSE 'active' END
         WHERE store_id = $1 AND timestamp_utc BETWEEN ${fromUs("$2")} AND ${fromUs("$3")}`,
        [o.store, Math.min(o.from, o.to), Math.max(o.from, o.to)],
      ));
    case "insertDirect":
      return void (await db.query(`INSERT INTO polls VALUES ($1, ${fromUs("$2")}, $3) ON CONFLICT DO NOTHING`, [
        o.store,
        o.at,
        o.active ? "active" : "inactive",
      ]));
    case "retention":
      return void (await dropExpiredPolls(o.days));
    case "truncate":
      return void (await db.query("TRUNCATE polls"));
  }
}
const fromUs = (p: string) => `(timestamptz 'epoch' + ${p}::int8 * interval '1 microsecond')`;

/** poll_stores and store_days as a recomputation from every poll gives them. */
async function recomputed() {
  const db = pool();
  const { rows: polls } = await db.query<{ store_id: string; at: string; active: boolean }>(
    `SELECT store_id, ${toEpochUs("timestamp_utc")} AS at, status = 'active' AS active FROM polls ORDER BY store_id, timestamp_utc`,
  );
  const byStore = new Map<string, Poll[]>();
  for (const p of polls) byStore.set(p.store_id, [...(byStore.get(p.store_id) ?? []), { at: Number(p.at), active: p.active }]);
  const clocks = new ZoneClocks();
  const state: unknown[] = [];
  const days: unknown[] = [];
  for (const [storeId, list] of [...byStore].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const last = list[list.length - 1]!;
    const after = list.findLast((p) => p.active !== last.active);
    const runFirst = after ? list.find((p) => p.at > after.at)! : list[0]!;
    state.push({
      store_id: storeId,
      first: list[0]!.at,
      last: last.at,
      last_active: last.active,
      run_first: runFirst.at,
      run_after: after?.at ?? null,
    });
    const { rows } = await db.query<{ hours: string | null; zone: string | null }>(
      `SELECT (SELECT string_agg(day_of_week || ' ' || extract(epoch FROM start_time_local)::int || ' ' || extract(epoch FROM end_time_local)::int, ' ')
               FROM business_hours WHERE store_id = $1) AS hours,
              (SELECT timezone_str FROM store_timezones WHERE store_id = $1) AS zone`,
      [storeId],
    );
    const zone = rows[0]!.zone;
    const clock = clocks.get(zone ?? DEFAULT_TIME_ZONE);
    const store = { timeZone: zone, hours: unpackHours(rows[0]!.hours), polls: list };
    for (const d of dayRollups(store, clock.localEpochDay(list[0]!.at), clock.localEpochDay(last.at), clocks))
      days.push({ store_id: storeId, day: d.epochDay, up: d.up, down: d.down, covered: d.covered, polls: d.polls });
  }
  return { state, days };
}

async function stored() {
  const db = pool();
  const { rows: state } = await db.query(
    `SELECT store_id, ${toEpochUs("first_poll_at")}::float8 AS first, ${toEpochUs("last_poll_at")}::float8 AS last, last_active,
            ${toEpochUs("run_first_poll_at")}::float8 AS run_first, ${toEpochUs("run_after_poll_at")}::float8 AS run_after
     FROM poll_stores ORDER BY store_id`,
  );
  const { rows: days } = await db.query(
    `SELECT store_id, (day - date '1970-01-01') AS day, up_us AS up, down_us AS down, covered_us AS covered, polls
     FROM store_days ORDER BY store_id, day`,
  );
  return { state, days };
}

beforeEach(async () => {
  await pool().query("TRUNCATE polls, business_hours, store_timezones, import_log");
});

describe("the fleet model", () => {
  it("stays equal to a recomputation from polls through random sequences of every kind of write", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 14 }), async (ops) => {
        await pool().query("TRUNCATE polls, business_hours, store_timezones");
        for (const o of ops) {
          await apply(o);
          // The loads compute their days before they commit; the workers' round computes the rest.
          const direct = ["delete", "flip", "insertDirect", "retention", "truncate", "zone"].includes(o.kind);
          if (!direct) expect((await pool().query("SELECT count(*)::int AS n FROM store_days_stale")).rows[0].n).toBe(0);
          await refreshStaleDays();
          const [want, got] = [await recomputed(), await stored()];
          expect(got.state, `state after ${JSON.stringify(o)}`).toEqual(want.state);
          expect(got.days, `days after ${JSON.stringify(o)}`).toEqual(want.days);
        }
      }),
      { numRuns: 12, seed: 20261207 },
    );
  }, 600_000);

  // Pushes share the loads' turn: several at once, of the same stores (appends, earlier polls, the same poll twice,
  // a store's first polls), must leave what the same polls written one after another would.
  it("stays equal to a recomputation when pushes of the same stores write at the same time", async () => {
    const push = fc.record({
      appends: fc.array(fc.record({ store, hoursAfter: fc.integer({ min: 1, max: 40 }), active: fc.boolean() }), { maxLength: 12 }),
      earlier: fc.array(poll, { maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(poll, { maxLength: 20 }),
        fc.array(fc.array(push, { minLength: 2, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        async (start, rounds) => {
          await pool().query("TRUNCATE polls, business_hours, store_timezones");
          if (start.length > 0) await loadFeeds([pollRecords(start)]);
          for (const pushes of rounds) {
            const { rows } = await pool().query<{ store_id: string; last: string }>(
              `SELECT store_id, ${toEpochUs("last_poll_at")} AS last FROM poll_stores`,
            );
            const last = new Map(rows.map((r) => [r.store_id, Number(r.last)]));
            // Each push's appends start from the last poll stored, as pollers of the same store would send them;
            // two pushes often carry the same poll.
            const batches = pushes.map(({ appends, earlier }) => [
              ...appends.map((a) => ({ store: a.store, at: (last.get(a.store) ?? FROM) + a.hoursAfter * (HOUR / 4), active: a.active })),
              ...earlier,
            ]);
            await Promise.all(batches.filter((b) => b.length > 0).map((b) => loadFeeds([pollRecords(b)], { push: true })));
            await refreshStaleDays();
            const [want, got] = [await recomputed(), await stored()];
            expect(got.state, `state after ${JSON.stringify(batches)}`).toEqual(want.state);
            expect(got.days, `days after ${JSON.stringify(batches)}`).toEqual(want.days);
          }
        },
      ),
      { numRuns: 12, seed: 20261208, endOnFailure: true },
    );
  }, 600_000);
});
