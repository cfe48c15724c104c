// The owner's home over real HTTP: GET /api/fleet/now and GET /api/fleet/periods, their figures against the engine
// run here over the raw polls, who sees which stores, and a store down across a closing time.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FleetNowView, FleetPeriodsView, StorePeriods } from "../../lib/api/views/fleet";
import { pool } from "../../lib/db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { csvSource } from "../../lib/feeds/read";
import { generateFeeds } from "../../lib/sample-data/generate";
import {
  businessIntervals,
  dailyDurations,
  DEFAULT_TIME_ZONE,
  FRESH_WITHIN,
  healthOf,
  uptimePercent,
  ZoneClocks,
  type StoreData,
} from "../../lib/uptime";
import { startApp, type RunningApp } from "../../scripts/app-processes";
import { setUpTestDatabase } from "../database";
import { memberSession } from "./people";

const databaseUrl = await setUpTestDatabase();
const ADMIN_TOKEN = "fleet-admin-token-0123456789abcdef";
let app: RunningApp;
let admin: Record<string, string>;
let member: Record<string, string>;
const owners = { a: [] as string[], b: [] as string[] };

// A store in New York open 09:00-17:00 every day, up until Monday 14 October 2024 15:00 (EDT, UTC-4), down at 16:00,
// closed for the night, still down at 09:30 and 10:30 on Tuesday: the newest poll of all, so "now" is 10:30.
const CLOSING = "closing-street";
const EDT = (local: string) => Date.parse(`${local}-04:00`);
const closingPolls = [
  ...Array.from({ length: 55 }, (_, h) => [EDT("2024-10-12T09:00:00") + h * 3600e3, "active"] as const),
  [EDT("2024-10-14T16:00:00"), "inactive"],
  [EDT("2024-10-15T09:30:00"), "inactive"],
  [EDT("2024-10-15T10:30:00"), "inactive"],
] as const;
// A store open around the clock (no hours on file) in Chicago, up every hour for 30 days.
const STEADY = "steady-corner";
const steadyPolls = Array.from({ length: 30 * 24 }, (_, h) => [Date.parse("2024-09-15T14:00:00Z") + h * 3600e3, "active"] as const);
// A store on Kiritimati (UTC+14), where "now" is already Wednesday 16 October, down on the evening of its Tuesday 15th
// (05:00-08:00 UTC): a day complete there but not yet in the Americas, so no period counts it yet.
const AHEAD = "ahead-isle";
const aheadPolls = Array.from({ length: 14 * 24 + 15 }, (_, h) => {
  const at = Date.parse("2024-10-01T00:00:00Z") + h * 3600e3;
  return [at, at >= Date.parse("2024-10-15T05:00:00Z") && at <= Date.parse("2024-10-15T08:00:00Z") ? "inactive" : "active"] as const;
});

const pollLine = (storeId: string, [ms, status]: readonly [number, string]) =>
  `${storeId},${status},${new Date(ms).toISOString().replace("T", " ").replace("Z", " UTC")}`;
const source = (name: string, kind: Parameters<typeof csvSource>[1], text: string) => csvSource(name, kind, () => Readable.from([text]));

const get = async <T>(p: string, headers: Record<string, string> = admin) => {
  // The engine's sums below hold the event loop for seconds: a kept-alive socket the server closed meanwhile may be
  // taken before its close is seen. That GET never reached the server; it is sent again, once, on a new one.
  const send = () => fetch(`${app.baseUrl}${p}`, { headers });
  const response = await send().catch((e: Error) =>
    (e.cause as { code?: string })?.code === "UND_ERR_SOCKET" ? send() : Promise.reject(e),
  );
  return { status: response.status, body: (await response.json()) as T };
};

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-fleet-"));
  await generateFeeds({ stores: 24, days: 100, seed: 7 }, dir);
  await loadFeeds(feedSourcesInDirectory(dir));
  const { rows: generated } = await pool().query<{ store_id: string; name: string }>("SELECT store_id, name FROM stores ORDER BY 1");
  await loadFeeds([
    source(
      "polls.csv",
      "polls",
      [
        "store_id,status,timestamp_utc",
        ...closingPolls.map((p) => pollLine(CLOSING, p)),
        ...steadyPolls.map((p) => pollLine(STEADY, p)),
        ...aheadPolls.map((p) => pollLine(AHEAD, p)),
      ].join("\n"),
    ),
    source(
      "hours.csv",
      "business_hours",
      ["store_id,dayOfWeek,start_time_local,end_time_local", ...[0, 1, 2, 3, 4, 5, 6].map((d) => `${CLOSING},${d},09:00:00,17:00:00`)].join(
        "\n",
      ),
    ),
    source(
      "zones.csv",
      "time_zones",
      `store_id,timezone_str\n${CLOSING},America/New_York\n${STEADY},America/Chicago\n${AHEAD},Pacific/Kiritimati\n`,
    ),
  ]);
  owners.a = [CLOSING, STEADY, AHEAD, ...generated.slice(0, 8).map((s) => s.store_id)];
  owners.b = generated.slice(8, 14).map((s) => s.store_id);
  const named = new Map([
    ...generated.map((s) => [s.store_id, s.name] as const),
    [CLOSING, "Closing Street Diner"],
    [STEADY, "Steady Corner Cafe"],
    [AHEAD, "Ahead Isle Grill"],
  ]);
  const directory = (owner: string, ids: string[]) => ids.map((id) => `${id},${named.get(id)},${owner}`);
  await loadFeeds([
    source(
      "stores.csv",
      "stores",
      ["store_id,name,owner", ...directory("owner-a", owners.a), ...directory("owner-b", owners.b)].join("\n"),
    ),
  ]);

  // No worker: days a direct change leaves stale stay so, as they would until the workers' next round.
  app = await startApp(databaseUrl, { workers: 0, env: { ADMIN_TOKEN } });
  const signedIn = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
  admin = { Cookie: signedIn.headers.get("set-cookie")!.split(";")[0]! };
  member = { Cookie: await memberSession(app.baseUrl, admin, "ana@a.example", "owner-a") };
});
afterAll(() => app?.stop());

/** Every store's polls, hours and zone, read here from the tables, for the engine. */
async function rawStores(): Promise<StoreData[]> {
  const { rows } = await pool().query<{
    store_id: string;
    zone: string | null;
    polls: [string, boolean][];
    hours: [number, number, number][] | null;
  }>(
    `SELECT p.store_id, (SELECT timezone_str FROM store_timezones z WHERE z.store_id = p.store_id) AS zone,
            json_agg(json_build_array((extract(epoch FROM p.timestamp_utc) * 1e6)::int8::text, p.status = 'active') ORDER BY p.timestamp_utc) AS polls,
            (SELECT json_agg(json_build_array(day_of_week, extract(epoch FROM start_time_local)::int, extract(epoch FROM end_time_local)::int))
             FROM business_hours h WHERE h.store_id = p.store_id) AS hours
     FROM polls p GROUP BY p.store_id`,
  );
  return rows.map((r) => ({
    storeId: r.store_id,
    timeZone: r.zone,
    polls: r.polls.map(([at, active]) => ({ at: Number(at), active })),
    hours: (r.hours ?? []).map(([dayOfWeek, start, end]) => ({ dayOfWeek, start, end })),
  }));
}

const hoursOf = (us: number) => Math.round(us / 36e6) / 100;
const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();

/** "Today" for the periods of `stores`: the earliest local date of asOf among their zones. */
const todayOf = (stores: { timeZone: string | null }[], asOf: number, clocks: ZoneClocks) =>
  Math.min(...stores.map((s) => clocks.get(s.timeZone ?? DEFAULT_TIME_ZONE).localEpochDay(asOf)));
const dateOf = (epochDay: number) => new Date(epochDay * 86_400_000).toISOString().slice(0, 10);

/**
 * What the home should say of a store, by the engine over its raw polls up to `asOf`: its local days before `today`,
 * from its first poll's date to its last poll's (the days the fleet model keeps), summed per period.
 */
function expectedPeriods(store: StoreData, asOf: number, today: number, clocks: ZoneClocks) {
  const clock = clocks.get(store.timeZone ?? DEFAULT_TIME_ZONE);
  const [first, last] = [clock.localEpochDay(store.polls[0]!.at), clock.localEpochDay(store.polls.at(-1)!.at)];
  const days = dailyDurations(store, clock.instantOf(today - 90, 0), asOf, clocks)!;
  const dayBack = (back: number) => {
    const day = days.find((d) => d.epochDay === today - back);
    return day && day.epochDay >= first && day.epochDay <= last ? day : undefined;
  };
  const sum = (from: number, to: number) => {
    let up = 0;
    let down = 0;
    for (let back = from; back <= to; back++) {
      up += dayBack(back)?.up ?? 0;
      down += dayBack(back)?.down ?? 0;
    }
    return { up, down };
  };
  return {
    sum,
    daily: Array.from({ length: 90 }, (_, i) => {
      const day = dayBack(90 - i);
      return !day || day.polls === 0 ? null : (uptimePercent(day.up, day.down) ?? "closed");
    }),
  };
}

const shown = ({ up, down }: { up: number; down: number }) => ({ uptimePercent: uptimePercent(up, down), downHours: hoursOf(down) });
const RANGES = { week: [1, 7], previousWeek: [8, 14], days30: [1, 30], days90: [1, 90] } as const;

describe("GET /api/fleet/periods", () => {
  it("gives each store's and the fleet's figures as the engine counts them over the raw polls", async () => {
    const { status, body } = await get<FleetPeriodsView>("/api/fleet/periods");
    expect(status).toBe(200);
    const asOf = Date.parse(body.asOf!) * 1000;
    expect(body.asOf).toBe(new Date(EDT("2024-10-15T10:30:00")).toISOString());
    const clocks = new ZoneClocks();
    const stores = await rawStores();
    expect(body.stores.map((s) => s.storeId).sort()).toEqual(stores.map((s) => s.storeId).sort());
    const today = todayOf(stores, asOf, clocks);
    expect(body.lastDay).toBe(dateOf(today - 1));
    const expected = new Map(stores.map((s) => [s.storeId, expectedPeriods(s, asOf, today, clocks)]));
    for (const row of body.stores) {
      const e = expected.get(row.storeId)!;
      for (const [name, [from, to]] of Object.entries(RANGES))
        expect(row[name as keyof typeof RANGES], `${row.storeId} ${name}`).toEqual(shown(e.sum(from, to)));
      expect(row.daily, row.storeId).toEqual(e.daily);
    }
    for (const [name, [from, to]] of Object.entries(RANGES)) {
      const sums = [...expected.values()].map((e) => e.sum(from, to));
      const health = sums.map((s) => healthOf(uptimePercent(s.up, s.down)));
      const total = sums.reduce((t, s) => ({ up: t.up + s.up, down: t.down + s.down }), { up: 0, down: 0 });
      expect(body.periods[name as keyof typeof RANGES], name).toMatchObject({
        ...shown(total),
        upHours: hoursOf(total.up),
        storesCounted: health.filter((h) => h !== "none").length,
        storesBelowFine: health.filter((h) => h === "warning" || h === "bad").length,
        storesBelowWarning: health.filter((h) => h === "bad").length,
      });
    }
    // The weeks of the trend, oldest first; the last is this week, the one before it the 7 days before.
    expect(body.trend).toHaveLength(12);
    for (const [w, week] of body.trend.entries()) {
      const back = 7 * (11 - w);
      const total = [...expected.values()]
        .map((e) => e.sum(back + 1, back + 7))
        .reduce((t, s) => ({ up: t.up + s.up, down: t.down + s.down }));
      expect(week).toMatchObject(shown(total));
    }
    expect(body.trend.at(-1)).toMatchObject({ from: body.periods.week.from, to: body.periods.week.to });
    expect(body.trend.at(-2)).toMatchObject({ from: body.periods.previousWeek.from, to: body.periods.previousWeek.to });
    // The most down this week first.
    const down = body.stores.map((s) => s.week.downHours);
    expect(down).toEqual([...down].sort((a, b) => b - a));
    expect(body.storesReadFromPolls).toBe(0);
  });

  it("counts the same dates for every store: whole days over in every zone, not yet the day over only where it is later", async () => {
    const { body } = await get<FleetPeriodsView>("/api/fleet/periods", member);
    const asOf = Date.parse(body.asOf!) * 1000;
    const clocks = new ZoneClocks();
    const mine = (await rawStores()).filter((s) => owners.a.includes(s.storeId));
    const today = todayOf(mine, asOf, clocks);
    expect(dateOf(today)).toBe("2024-10-15"); // Tuesday in the Americas; Wednesday already on Kiritimati
    expect(body.lastDay).toBe("2024-10-14");
    for (const [name, [from, to]] of Object.entries(RANGES))
      expect(body.periods[name as keyof typeof RANGES], name).toMatchObject({ from: dateOf(today - to), to: dateOf(today - from) });
    // Kiritimati's Tuesday, down for three hours, is over there but not in New York: no period has it yet.
    const ahead = body.stores.find((s) => s.storeId === AHEAD)!;
    expect(ahead.week).toEqual({ uptimePercent: 100, downHours: 0 });
    // The store in New York: its days from its first poll (Saturday 12 October) to the last day.
    const closing = body.stores.find((s) => s.storeId === CLOSING)!;
    expect(closing.daily.slice(0, 87).every((d) => d === null)).toBe(true);
    expect(closing.daily.slice(87).every((d) => typeof d === "number")).toBe(true);
  });

  it("reads a store whose days are being recomputed from its polls", async () => {
    // A poll written straight into the table (as a direct change would be) marks the store's days stale; no worker
    // computes them here, so store_days still has the day without it.
    const noon = Date.parse("2024-10-12T12:30:00-05:00"); // Saturday 12:30 in Chicago, between two hourly polls
    await pool().query("INSERT INTO polls (store_id, timestamp_utc, status) VALUES ($1, $2, 'inactive')", [
      STEADY,
      new Date(noon).toISOString(),
    ]);
    expect((await pool().query("SELECT 1 FROM store_days_stale WHERE store_id = $1", [STEADY])).rowCount).toBeGreaterThan(0);
    const kept = await pool().query("SELECT down_us FROM store_days WHERE store_id = $1 AND day = '2024-10-12'", [STEADY]);
    expect(kept.rows).toEqual([{ down_us: 0 }]);
    const { body } = await get<FleetPeriodsView>("/api/fleet/periods");
    const asOf = Date.parse(body.asOf!) * 1000;
    const steady = (await rawStores()).find((s) => s.storeId === STEADY)!;
    const clocks = new ZoneClocks();
    const e = expectedPeriods(steady, asOf, todayOf(await rawStores(), asOf, clocks), clocks);
    const row = body.stores.find((s) => s.storeId === STEADY)!;
    expect(row.week).toEqual(shown(e.sum(1, 7)));
    expect(row.week.downHours).toBe(0.5); // the inactive poll owns the half hour around it
    expect(row.daily).toEqual(e.daily);
    expect(body.storesReadFromPolls).toBe(1);
  });
});

describe("GET /api/fleet/now", () => {
  it("counts the stores up, down and without data, and lists those down or silent as the raw polls say", async () => {
    const { status, body } = await get<FleetNowView>("/api/fleet/now");
    expect(status).toBe(200);
    const asOf = Date.parse(body.asOf!) * 1000;
    const clocks = new ZoneClocks();
    const expected = (await rawStores()).map((s) => {
      const clock = clocks.get(s.timeZone ?? DEFAULT_TIME_ZONE);
      const last = s.polls.at(-1)!;
      const openNow = businessIntervals(s.hours, clock, asOf - 1, asOf).length > 0;
      const silent = openNow && asOf - last.at > FRESH_WITHIN;
      // The run of polls with the last one's status, and the poll of the other status before it.
      let i = s.polls.length - 1;
      while (i > 0 && s.polls[i - 1]!.active === last.active) i--;
      const since = silent ? last.at : i === 0 ? s.polls[0]!.at : (s.polls[i - 1]!.at + s.polls[i]!.at) / 2;
      const business = businessIntervals(s.hours, clock, since, asOf).reduce((t, o) => t + o.end - o.start, 0);
      return { storeId: s.storeId, state: silent ? "no_data" : last.active ? "up" : "down", since: iso(since), business, openNow };
    });
    const count = (state: string) => expected.filter((e) => e.state === state).length;
    expect(body.counts).toEqual({ stores: expected.length, up: count("up"), down: count("down"), noData: count("no_data") });
    expect(count("down")).toBeGreaterThan(0);
    expect(count("no_data")).toBeGreaterThan(0); // generated stores open at 10:30 in New York, silent since the evening before
    const ongoing = new Map(expected.filter((e) => e.state !== "up").map((e) => [e.storeId, e]));
    expect(body.ongoing.map((o) => o.storeId).sort()).toEqual([...ongoing.keys()].sort());
    for (const o of body.ongoing) {
      const e = ongoing.get(o.storeId)!;
      expect(o).toMatchObject({ state: e.state, since: e.since, openNow: e.openNow });
      expect(o.businessSeconds).toBeCloseTo(e.business / 1e6, 3);
    }
    // The longest first.
    const lengths = body.ongoing.map((o) => o.businessSeconds);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
  });

  it("a store down across a closing time: since halfway between its last active poll and its first inactive one, for the business time since", async () => {
    const { body } = await get<FleetNowView>("/api/fleet/now", member);
    const closing = body.ongoing.find((o) => o.storeId === CLOSING);
    expect(closing).toEqual({
      storeId: CLOSING,
      name: "Closing Street Diner",
      timeZone: "America/New_York",
      state: "down",
      since: new Date(EDT("2024-10-14T15:30:00")).toISOString(),
      sinceFirstPoll: false,
      // 15:30 to closing at 17:00 on Monday, then 09:00 to 10:30 on Tuesday: 3 hours, not the 19 since.
      businessSeconds: 3 * 3600,
      openNow: true,
      lastPollAt: new Date(EDT("2024-10-15T10:30:00")).toISOString(),
      lastPollActive: false,
    });
  });
});

describe("who sees which stores", () => {
  it("a member sees only their owner's stores, now and over the periods; another owner's store is absent", async () => {
    const now = (await get<FleetNowView>("/api/fleet/now", member)).body;
    expect(now.counts.stores).toBe(owners.a.length);
    for (const o of now.ongoing) expect(owners.a).toContain(o.storeId);
    const periods = (await get<FleetPeriodsView>("/api/fleet/periods", member)).body;
    expect(periods.stores.map((s: StorePeriods) => s.storeId).sort()).toEqual([...owners.a].sort());
    for (const other of owners.b) expect(JSON.stringify([now, periods])).not.toContain(other);
    // The admin sees every store, and the same now.
    const all = (await get<FleetNowView>("/api/fleet/now")).body;
    expect(all.counts.stores).toBe((await pool().query("SELECT 1 FROM poll_stores")).rowCount);
    expect(all.asOf).toBe(now.asOf);
  });

  it("anyone signed out is refused, in the one error shape", async () => {
    for (const p of ["/api/fleet/now", "/api/fleet/periods"]) {
      const { status, body } = await get<{ error: { code: string; message: string } }>(p, {});
      expect(status, p).toBe(401);
      expect(body.error.code).toEqual(expect.any(String));
    }
  });
});
