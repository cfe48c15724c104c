// The minute's round (evaluateRound, which looks only at the stores whose answer can have changed) opens, resolves
// and tells exactly what the full evaluation of every active store does, minute after minute, on a real database:
// random fleets (hours overnight and across the spring-forward night of four US zones, zones, owners, rules),
// pollers that are late, silent, ahead of the clock or send in bursts, and hours, zones, owners, rules and polls
// changed between minutes.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { setUpTestDatabase } from "../../tests/database";
import { pool } from "../db/pool";
import { stopQueue } from "../jobs/queue";
import { isoMicros } from "../uptime";
import { evaluateStores } from "./evaluate";
import { evaluateRound } from "./round";

await setUpTestDatabase();
delete process.env.ALERT_WEBHOOK_URL;
delete process.env.ALERT_SLACK_WEBHOOK_URL;
delete process.env.ALERT_EMAIL_TO;
process.env.ALERT_AFTER_MINUTES = "15";
process.env.ALERT_NO_DATA_MINUTES = "45";

const MINUTE = 60_000_000;
const DAY = 24 * 60 * MINUTE;
/** Sunday 2024-03-10, 04:00 UTC: clocks go forward at 02:00 local in New York (07:00 UTC) .. Los Angeles (10:00 UTC). */
const START = Date.UTC(2024, 2, 10, 4) * 1000;
const MINUTES = 420;
/** Polls from three days before the first minute: older than the evaluation's two-day look back. */
const HISTORY = 3 * DAY;
const STORES = Array.from({ length: 24 }, (_, i) => `s${String(i).padStart(2, "0")}`);
const ZONES = [null, "America/New_York", "America/Denver", "America/Los_Angeles", "UTC", "Asia/Kolkata", "Pacific/Chatham"];
const OWNERS = [null, "owner-a", "owner-b"];

const TABLES =
  "polls, business_hours, store_timezones, incidents, alert_deliveries, alert_rules, owners, stores, alert_checks, alert_changes";

type HoursRow = { day: number; start: number; end: number };
/** Weekly hours, most on the days the minutes fall on (Saturday and Sunday, local), overnight too; none: 24x7. */
const hours: fc.Arbitrary<HoursRow[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<HoursRow[]>([]) },
  {
    weight: 5,
    arbitrary: fc.array(
      fc
        .record({
          day: fc.oneof(fc.constantFrom(5, 6), fc.integer({ min: 0, max: 6 })),
          start: fc.integer({ min: 0, max: 1439 }),
          minutes: fc.oneof(fc.integer({ min: 10, max: 300 }), fc.constant(1440)),
        })
        .map(({ day, start, minutes }) => ({ day, start: start * 60, end: ((start + minutes) % 1440) * 60 })),
      { minLength: 1, maxLength: 10 },
    ),
  },
);
const minute = fc.integer({ min: 1, max: MINUTES - 1 });
const store = fc.constantFrom(...STORES);

const storePlan = fc.record({
  zone: fc.constantFrom(...ZONES),
  hours,
  owner: fc.constantFrom(...OWNERS),
  /** Minutes between polls, and where the first falls. */
  period: fc.integer({ min: 10, max: 120 }),
  phase: fc.integer({ min: 0, max: 3599 }),
  /** Runs of one status, from the first poll on; the last lasts. */
  runs: fc.array(fc.record({ active: fc.boolean(), minutes: fc.integer({ min: 5, max: 400 }) }), { minLength: 30, maxLength: 30 }),
  /** The poller silent, from a minute (negative: before the first round) for so long. */
  silence: fc.option(fc.record({ from: fc.integer({ min: -4320, max: MINUTES }), minutes: fc.integer({ min: 30, max: 5000 }) })),
  /** Minutes the poller's clock runs ahead: its polls are stamped later than the round that sees them. */
  ahead: fc.constantFrom(0, 0, 0, 0, 3),
  /** Polls held back from a minute for so long, then sent at once. */
  held: fc.option(fc.record({ from: minute, minutes: fc.integer({ min: 10, max: 120 }) })),
});
const rule = fc.record({
  owner: fc.constantFrom(...OWNERS),
  stores: fc.subarray(STORES, { maxLength: 6 }),
  afterMinutes: fc.constantFrom(5, 10, 20, 30, 60, 90),
  noDataMinutes: fc.constantFrom(null, 20, 30, 60, 120),
  channel: fc.constantFrom("webhook", "slack", "email"),
});
const scenario = fc.record({
  stores: fc.array(storePlan, { minLength: STORES.length, maxLength: STORES.length }),
  rules: fc.array(rule, { minLength: 1, maxLength: 5 }),
  hoursChange: fc.record({ at: minute, store, hours }),
  zoneChange: fc.record({ at: minute, store, zone: fc.constantFrom(...ZONES) }),
  ownerChange: fc.record({ at: minute, store, owner: fc.constantFrom(...OWNERS) }),
  ruleChange: fc.record({
    at: minute,
    afterMinutes: fc.constantFrom(5, 15, 45),
    noDataMinutes: fc.constantFrom(null, 10, 40),
    remove: fc.boolean(),
  }),
  pollsRemoved: fc.record({ at: minute, store }),
  /** Minutes at which the stores that sent polls are also evaluated at once (as POST /api/polls asks), before the round. */
  soon: fc.array(minute, { maxLength: 40 }),
});
type Scenario = ReturnType<typeof scenarioOf>;
const scenarioOf = (seed: number) => fc.sample(scenario, { seed, numRuns: 1 })[0]!;

type Poll = { store: string; at: number; active: boolean };

/** Each store's polls by the minute before whose round they arrive (0: before the first). */
function pollsByMinute(s: Scenario): Poll[][] {
  const byMinute: Poll[][] = Array.from({ length: MINUTES }, () => []);
  s.stores.forEach((plan, i) => {
    const id = STORES[i]!;
    const statusAt = (at: number) => {
      let end = START - HISTORY;
      for (const run of plan.runs) if (at < (end += run.minutes * MINUTE)) return run.active;
      return plan.runs.at(-1)!.active;
    };
    for (let n = 0; ; n++) {
      // A little jitter, and odd microseconds: midpoints between polls fall anywhere.
      const jitter = ((n * 7919 + i * 104729) % (plan.period * 20)) * 1e6 + (n % 7) * 13;
      const at = START - HISTORY + plan.phase * 1e6 + n * plan.period * MINUTE + jitter;
      if (at > START + (MINUTES + 10) * MINUTE) break;
      const silent =
        plan.silence && at >= START + plan.silence.from * MINUTE && at < START + (plan.silence.from + plan.silence.minutes) * MINUTE;
      if (silent) continue;
      let arrives = at - plan.ahead * MINUTE;
      if (plan.held && at >= START + plan.held.from * MINUTE && at < START + (plan.held.from + plan.held.minutes) * MINUTE)
        arrives = START + (plan.held.from + plan.held.minutes) * MINUTE;
      const k = Math.max(0, Math.ceil((arrives - START) / MINUTE));
      if (k < MINUTES) byMinute[k]!.push({ store: id, at, active: statusAt(at) });
    }
  });
  return byMinute;
}

const q = (sql: string, values: unknown[] = []) => pool().query(sql, values);
const insertPolls = (polls: Poll[]) =>
  q(
    `INSERT INTO polls (store_id, timestamp_utc, status) SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::poll_status[])
     ON CONFLICT DO NOTHING`,
    [polls.map((p) => p.store), polls.map((p) => isoMicros(p.at)), polls.map((p) => (p.active ? "active" : "inactive"))],
  );
const setHours = async (id: string, rows: HoursRow[]) => {
  await q("DELETE FROM business_hours WHERE store_id = $1", [id]);
  for (const r of rows)
    await q(
      "INSERT INTO business_hours VALUES ($1, $2, make_time(0, 0, 0) + $3 * interval '1 second', make_time(0, 0, 0) + $4 * interval '1 second') ON CONFLICT DO NOTHING",
      [id, r.day, r.start, r.end],
    );
};
const setZone = (id: string, zone: string | null) =>
  zone === null
    ? q("DELETE FROM store_timezones WHERE store_id = $1", [id])
    : q("INSERT INTO store_timezones VALUES ($1, $2) ON CONFLICT (store_id) DO UPDATE SET timezone_str = excluded.timezone_str", [
        id,
        zone,
      ]);
const setOwner = (id: string, owner: string | null) =>
  q("INSERT INTO stores (store_id, owner_id) VALUES ($1, $2) ON CONFLICT (store_id) DO UPDATE SET owner_id = excluded.owner_id", [
    id,
    owner,
  ]);

/** What the incidents log holds, and every notification recorded, by store and incident (not by id). */
async function outcome(): Promise<string[]> {
  const { rows } = await q(
    `SELECT concat_ws(' ', store_id, kind, started_at, opened_at, coalesce(resolved_at::text, 'open')) AS line FROM incidents
     UNION ALL
     SELECT concat_ws(' ', i.store_id, i.kind, i.started_at, d.event, d.channel) FROM alert_deliveries d JOIN incidents i ON i.id = d.incident_id
     ORDER BY 1`,
  );
  return rows.map((r) => r.line as string);
}

/** Plays the scenario minute by minute with one way of evaluating; what the log held after each minute, and the stores evaluated. */
async function play(s: Scenario, evaluate: (at: number) => Promise<{ stores: number }>) {
  await q(`TRUNCATE ${TABLES} RESTART IDENTITY CASCADE`);
  await q("INSERT INTO owners (id, slug, name) VALUES ('owner-a', 'a', 'A'), ('owner-b', 'b', 'B')");
  for (const [i, plan] of s.stores.entries()) {
    await setOwner(STORES[i]!, plan.owner);
    await setHours(STORES[i]!, plan.hours);
    await setZone(STORES[i]!, plan.zone);
  }
  for (const [i, r] of s.rules.entries())
    await q(
      `INSERT INTO alert_rules (id, name, owner_id, store_ids, after_minutes, no_data_minutes, webhook_url, slack_url, email_to, created_by, created_at)
       VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8, 'test', timestamptz '2024-01-01' + $9 * interval '1 second')`,
      [
        `rule-${i}`,
        r.owner,
        r.stores,
        r.afterMinutes,
        r.noDataMinutes,
        r.channel === "webhook" ? "http://127.0.0.1:9/hook" : null,
        r.channel === "slack" ? "http://127.0.0.1:9/slack" : null,
        r.channel === "email" ? ["ops@example.com"] : [],
        i,
      ],
    );
  const polls = pollsByMinute(s);
  const log: string[][] = [];
  let evaluated = 0;
  for (let k = 0; k < MINUTES; k++) {
    const at = START + k * MINUTE;
    if (polls[k]!.length) await insertPolls(polls[k]!);
    if (k === s.hoursChange.at) await setHours(s.hoursChange.store, s.hoursChange.hours);
    if (k === s.zoneChange.at) await setZone(s.zoneChange.store, s.zoneChange.zone);
    if (k === s.ownerChange.at) await setOwner(s.ownerChange.store, s.ownerChange.owner);
    if (k === s.ruleChange.at)
      await (s.ruleChange.remove
        ? q("DELETE FROM alert_rules WHERE id = 'rule-0'")
        : q("UPDATE alert_rules SET after_minutes = $1, no_data_minutes = $2 WHERE id = 'rule-0'", [
            s.ruleChange.afterMinutes,
            s.ruleChange.noDataMinutes,
          ]));
    if (k === s.pollsRemoved.at)
      await q("DELETE FROM polls WHERE store_id = $1 AND timestamp_utc > $2", [s.pollsRemoved.store, isoMicros(at - 90 * MINUTE)]);
    if (s.soon.includes(k) && polls[k]!.length) await evaluateStores([...new Set(polls[k]!.map((p) => p.store))], at - MINUTE / 2);
    evaluated += (await evaluate(at)).stores;
    log.push(await outcome());
  }
  return { log, evaluated };
}

describe("the minute's round", () => {
  beforeEach(async () => {
    await q(`TRUNCATE ${TABLES} RESTART IDENTITY CASCADE`);
  });

  // A store "s" open 09:00-17:00 UTC every day, polled at `at` (ISO instants, 2023-01-02 a Monday).
  const oneStore = async (
    polls: [string, "active" | "inactive"][],
    hoursRows = "SELECT 's', d, '09:00:00'::time, '17:00:00'::time FROM generate_series(0, 6) d",
  ) => {
    await q("INSERT INTO store_timezones VALUES ('s', 'UTC')");
    await q(`INSERT INTO business_hours ${hoursRows}`);
    for (const [at, status] of polls) await q("INSERT INTO polls VALUES ('s', $1, $2)", [at, status]);
  };
  const us = (iso: string) => Date.parse(iso) * 1000;
  const incidents = async () =>
    (await q("SELECT kind, started_at::text AS started, opened_at::text AS opened FROM incidents ORDER BY id")).rows;

  it("the first round evaluates every watched store; the next ones only those a write changed or whose check has come", async () => {
    await oneStore([["2023-01-02T09:00:00Z", "active"]]);
    await insertPolls([{ store: "t", at: us("2023-01-02T09:00:00Z"), active: true }]);
    expect(await evaluateRound(us("2023-01-02T09:05:00Z"))).toMatchObject({ full: true, stores: 2 });
    // Both checked again when their silence reaches 45 minutes (t, 24x7 in Chicago's zone, and s open).
    expect(await evaluateRound(us("2023-01-02T09:06:00Z"))).toMatchObject({ full: false, stores: 0 });
    await insertPolls([{ store: "t", at: us("2023-01-02T09:06:30Z"), active: false }]);
    expect(await evaluateRound(us("2023-01-02T09:07:00Z"))).toMatchObject({ full: false, stores: 1 });
    // t down since 09:03:15: its incident opens at 09:18:15, found by its check at the next round.
    expect(await evaluateRound(us("2023-01-02T09:18:00Z"))).toMatchObject({ stores: 0, opened: 0 });
    expect(await evaluateRound(us("2023-01-02T09:19:00Z"))).toMatchObject({ full: false, stores: 1, opened: 1 });
    expect(await evaluateRound(us("2023-01-02T09:46:00Z"))).toMatchObject({ full: false, stores: 1, opened: 1 }); // s silent
    await stopQueue();
  });

  it("a change of the rules, an emptied feed table or a clock gone back make the next round evaluate every watched store", async () => {
    await oneStore([["2023-01-02T09:00:00Z", "active"]]);
    expect(await evaluateRound(us("2023-01-02T09:05:00Z"))).toMatchObject({ full: true, stores: 1 });
    expect(await evaluateRound(us("2023-01-02T09:06:00Z"))).toMatchObject({ full: false, stores: 0 });
    await q("INSERT INTO alert_rules (id, name, after_minutes, email_to, created_by) VALUES ('r', 'r', 5, '{ops@example.com}', 'test')");
    expect(await evaluateRound(us("2023-01-02T09:07:00Z"))).toMatchObject({ full: true, stores: 1 });
    expect(await evaluateRound(us("2023-01-02T09:08:00Z"))).toMatchObject({ full: false, stores: 0 });
    process.env.ALERT_AFTER_MINUTES = "20"; // the environment's rule
    expect(await evaluateRound(us("2023-01-02T09:09:00Z"))).toMatchObject({ full: true, stores: 1 });
    process.env.ALERT_AFTER_MINUTES = "15";
    expect(await evaluateRound(us("2023-01-02T09:10:00Z"))).toMatchObject({ full: true, stores: 1 });
    expect(await evaluateRound(us("2023-01-02T09:11:00Z"))).toMatchObject({ full: false, stores: 0 });
    await q("TRUNCATE store_timezones");
    expect(await evaluateRound(us("2023-01-02T09:12:00Z"))).toMatchObject({ full: true, stores: 1 });
    expect(await evaluateRound(us("2023-01-02T09:11:30Z"))).toMatchObject({ full: true, stores: 1 }); // the clock went back
    await stopQueue();
  });

  it("a store no longer watched (no poll for a day, no incident for a week) is left alone when its check comes, as it was", async () => {
    // Open on Tuesdays only; its last poll, on Monday at 08:00, saw it down.
    await oneStore([["2023-01-02T08:00:00Z", "inactive"]], "VALUES ('s', 1, '09:00:00'::time, '17:00:00'::time)");
    expect(await evaluateRound(us("2023-01-02T08:30:00Z"))).toMatchObject({ stores: 1, opened: 0 });
    expect(await q("SELECT next_check_at::text FROM alert_checks").then((r) => r.rows)).toEqual([
      { next_check_at: "2023-01-03 09:00:00+00" },
    ]);
    expect(await evaluateRound(us("2023-01-03T09:30:00Z"))).toMatchObject({ stores: 0 });
    expect(await evaluateStores(null, us("2023-01-03T09:31:00Z"))).toMatchObject({ stores: 0 });
    expect(await incidents()).toEqual([]);
    // A poll makes it watched again: down since its opening, silent since the poll before.
    await q("INSERT INTO polls VALUES ('s', '2023-01-03T09:40:00Z', 'inactive')");
    expect(await evaluateRound(us("2023-01-03T09:41:00Z"))).toMatchObject({ stores: 1, opened: 1 });
    expect(await incidents()).toEqual([{ kind: "down", started: "2023-01-03 09:00:00+00", opened: "2023-01-03 09:15:00+00" }]);
  });

  // Fleets 1 and 4 between them catch a round that skips any one kind of next check; ROUND_FLEETS=1,2,3 plays others.
  it.each((process.env.ROUND_FLEETS ?? "1,4").split(",").map(Number))(
    "opens, resolves and tells exactly what evaluating every active store does, minute after minute (fleet %i)",
    async (seed) => {
      const s = scenarioOf(seed);
      const full = await play(s, (at) => evaluateStores(null, at));
      // Chunks of 5 stores of the 24: the round's cursor crosses chunks every minute it looks at many.
      const round = await play(s, (at) => evaluateRound(at, 5));
      const k = round.log.findIndex((lines, i) => JSON.stringify(lines) !== JSON.stringify(full.log[i]));
      const at = k < 0 ? "" : isoMicros(START + k * MINUTE);
      expect({ at, log: round.log[k] }, `fleet ${seed}: minute ${k}`).toEqual({ at, log: full.log[k] });
      // Something happened, and the rounds looked at a small part of what the full evaluations did.
      expect(full.log.at(-1)!.length).toBeGreaterThan(20);
      expect(round.evaluated).toBeLessThan(full.evaluated / 4);
      await stopQueue();
    },
    600_000,
  );
});
