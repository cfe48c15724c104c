// A report's stores read from their daily roll-ups (loadStoreWeeks) give exactly what they give read from every
// poll of the week (loadStoreData), on random stores loaded through the feeds' loader, which keeps the roll-ups:
// every duration to the microsecond, the last poll, the coverage and the freshness, for several as-of instants.
import fc from "fast-check";
import type pg from "pg";
import { expect, it } from "vitest";
import { setUpTestDatabase } from "../../tests/database";
import { pollGap, weeklyHours, ZONES } from "../../tests/random-stores";
import { pool } from "../db/pool";
import { loadFeeds } from "../feeds/load";
import { FEEDS } from "../feeds/kinds";
import { recordsSource } from "../feeds/rows";
import { FIGURE_KEYS, isoMicros, reportFigures, WINDOWS, ZoneClocks, type WeekFigures } from "../uptime";
import { triggerReport } from "./create";
import { runReport } from "./run";
import { loadStoreData, storesPolledBy } from "./store-data";
import { loadStoreWeeks, storeWeekFigures, type StoreWeek } from "./store-weeks";

await setUpTestDatabase();

const MIN = 60e6;
const H = 60 * MIN;
const DAY = 24 * H;
/** Polls fall around the 2024-11-03 fall-back of America/New_York and Havana; Santiago and Lord Howe are in summer time. */
const END = Date.UTC(2024, 10, 8, 17, 41, 3) * 1000 + 123_457;
const storeArbitrary = fc.record({
  zone: fc.constantFrom(...ZONES),
  hours: weeklyHours(8),
  // Where its polls begin, and the gaps between them: some stores start within the last week, some stop days before its end.
  firstAt: fc.integer({ min: -22 * DAY, max: -2 * DAY }),
  gaps: fc.array(pollGap(3), { minLength: 1, maxLength: 400, size: "max" }),
  actives: fc.array(fc.boolean(), { minLength: 400, maxLength: 400 }),
  // Where they end: half the stores go silent days before the others.
  lastAt: fc.oneof(fc.constant(0), fc.integer({ min: -10 * DAY, max: 0 })),
});
const stores = fc
  .sample(storeArbitrary, { seed: 20_261_207, numRuns: 70 })
  .map((s, i) => {
    const polls: { at: number; active: boolean }[] = [];
    let at = END + s.firstAt;
    for (const [k, g] of s.gaps.entries()) {
      at += g;
      if (at > END + s.lastAt) break;
      polls.push({ at, active: s.actives[k]! });
    }
    return { ...s, id: `store-${String(i).padStart(2, "0")}`, polls };
  })
  .filter((s) => s.polls.length > 0);

const hhmmss = (s: number) => [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, "0")).join(":");
const pollsSource = (polls: { id: string; at: number; active: boolean }[]) =>
  recordsSource(
    "polls",
    FEEDS.polls,
    polls.map((p) => ({ store_id: p.id, timestamp_utc: isoMicros(p.at), status: p.active ? "active" : "inactive" })),
  );

/** Each store's row as a report computes it from a week read either way: durations, last poll, coverage, freshness. */
function rowsOf(weeks: StoreWeek[], now: number) {
  const clocks = new ZoneClocks();
  return weeks.map((week) => [week.storeId, storeWeekFigures(week, now, clocks)]);
}
const todaysRows = async (client: pg.ClientBase, ids: string[], now: number) =>
  rowsOf(
    (await loadStoreData(client, ids, now - WINDOWS.week, now)).map((polls) => ({ storeId: polls.storeId, polls })),
    now,
  );

it("gives every store's figures, last poll, coverage and freshness exactly as every poll of the week does", async () => {
  // Loaded in two loads, the second merging later polls of some stores and earlier ones of others, so the roll-ups
  // are both made and refreshed by the loader.
  const all = stores.flatMap((s) => s.polls.map((p) => ({ id: s.id, ...p })));
  const first = new Set(all.filter((p, i) => p.at < END - 2 * DAY || i % 7 === 3));
  await loadFeeds([
    pollsSource([...first]),
    recordsSource(
      "hours",
      FEEDS.business_hours,
      stores.flatMap((s) =>
        s.hours.map((r) => ({
          store_id: s.id,
          day: String(r.dayOfWeek),
          start_time_local: hhmmss(r.start),
          end_time_local: hhmmss(r.end),
        })),
      ),
    ),
    recordsSource(
      "zones",
      FEEDS.time_zones,
      stores.filter((s) => s.zone !== null).map((s) => ({ store_id: s.id, timezone_str: s.zone! })),
    ),
  ]);
  await loadFeeds([pollsSource(all.filter((p) => !first.has(p)))]);
  const db = pool();
  expect((await db.query("SELECT count(*)::int AS n FROM store_days_stale")).rows[0].n).toBe(0);
  expect((await db.query("SELECT count(*)::int AS n FROM store_days")).rows[0].n).toBeGreaterThan(stores.length * 5);

  // Some stores' roll-ups wait for a refresh; their days are made wrong too, so that reading them would show.
  const staleIds = stores.filter((_, i) => i % 9 === 4).map((s) => s.id);
  await db.query("INSERT INTO store_days_stale SELECT store_id, first_poll_at, last_poll_at FROM poll_stores WHERE store_id = ANY($1)", [
    staleIds,
  ]);
  await db.query("UPDATE store_days SET up_us = up_us + 3600e6, covered_us = covered_us + 1 WHERE store_id = ANY($1)", [staleIds]);

  const latest = Math.max(...all.map((p) => p.at));
  const nows = [
    latest,
    latest - 3 * DAY - 17 * MIN, // in the past: stores polled after it are read from polls
    Date.UTC(2024, 10, 4, 5) * 1000, // a midnight in New York, the day after it fell back
    Date.UTC(2024, 10, 6, 23, 30) * 1000, // a midnight in Kolkata
    latest + 4 * DAY + 3 * H, // every store silent for days
    ...fc.sample(fc.integer({ min: END - 12 * DAY, max: END }), { seed: 7, numRuns: 4 }),
  ];
  const kinds = { rolled: 0, rolledDays: 0, fromPolls: 0 };
  const client = await db.connect();
  try {
    for (const now of nows) {
      const ids = await storesPolledBy(client, now);
      const weeks = await loadStoreWeeks(client, ids, now, new ZoneClocks());
      for (const week of weeks) {
        if (!("rolled" in week)) kinds.fromPolls++;
        else if (week.rolled.rolled.end > week.rolled.rolled.start) kinds.rolledDays++;
        else kinds.rolled++;
        if (staleIds.includes(week.storeId)) expect("polls" in week).toBe(true);
      }
      expect(rowsOf(weeks, now), `as of ${isoMicros(now)}`).toEqual(await todaysRows(client, ids, now));
    }
  } finally {
    client.release();
  }
  // Weeks were read with whole days and without; stale stores, and stores polled after an as-of, from every poll.
  expect(kinds.rolledDays).toBeGreaterThan(stores.length * 1.5);
  expect(kinds.rolled).toBeGreaterThan(0);
  expect(kinds.fromPolls).toBeGreaterThan(nows.length * staleIds.length);

  // A report stores those rows: its figures, last poll, coverage and freshness are today's.
  const id = await triggerReport(isoMicros(latest), { enqueue: false });
  expect(await runReport(id)).toBe("completed");
  const { rows } = await db.query<{ store_id: string; figures: string[]; last_poll_at: string; coverage: number; freshness: string }>(
    `SELECT store_id, ARRAY[uptime_last_hour, uptime_last_day, uptime_last_week, downtime_last_hour, downtime_last_day,
       downtime_last_week]::text[] AS figures, to_char(last_poll_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last_poll_at,
       poll_coverage::float8 AS coverage, freshness FROM report_rows WHERE report_id = $1 ORDER BY store_id`,
    [id],
  );
  const client2 = await db.connect();
  try {
    const expected = await todaysRows(client2, await storesPolledBy(client2, latest), latest);
    expect(rows.map((r) => [r.store_id, r.figures, r.last_poll_at, r.coverage, r.freshness])).toEqual(
      expected.map(([storeId, week]) => {
        const { durations, freshness } = week as WeekFigures;
        const figures = reportFigures(durations);
        return [
          storeId,
          FIGURE_KEYS.map((k) => figures[k]),
          isoMicros(freshness.lastPoll!),
          Math.fround(freshness.coverage),
          freshness.state,
        ];
      }),
    );
  } finally {
    client2.release();
  }
});

it("reads a batch in two queries when every store's roll-ups serve", async () => {
  const client = await pool().connect();
  try {
    await client.query("DELETE FROM store_days_stale");
    const now = Math.max(...stores.flatMap((s) => s.polls.map((p) => p.at)));
    const ids = await storesPolledBy(client, now);
    const query = client.query;
    let queries = 0;
    client.query = ((...args: Parameters<typeof query>) => (queries++, query.apply(client, args))) as typeof query;
    const weeks = await loadStoreWeeks(client, ids, now, new ZoneClocks());
    client.query = query;
    expect(weeks.every((week) => "rolled" in week)).toBe(true);
    expect(queries).toBe(2);
  } finally {
    client.release();
  }
});
