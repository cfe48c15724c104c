import { describe, expect, it } from "vitest";
import { FRESH_WITHIN, ZoneClocks } from "../uptime";
import { storeNow, type StoreRun } from "./state";

// A store open 09:00-17:00 every day in Chicago; times below are its local wall times on 2024-10-14 (a Monday,
// day 20010) and the day after.
const clocks = new ZoneClocks();
const clock = clocks.get("America/Chicago");
const MONDAY = 20010;
const HOUR = 3600e6;
const at = (hhmm: string, day = MONDAY) => clock.instantOf(day, Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3)) * 60);
const hours = Array.from({ length: 7 }, (_, d) => ({ dayOfWeek: d, start: 9 * 3600, end: 17 * 3600 }));
const store = (run: Partial<StoreRun>): StoreRun => ({
  firstPoll: at("09:00", MONDAY - 30),
  lastPoll: at("16:30"),
  lastActive: true,
  runFirstPoll: at("09:00", MONDAY - 30),
  runAfterPoll: null,
  hours,
  timeZone: null, // America/Chicago, by default
  ...run,
});

describe("what a store is now, by its last poll and the business hours since", () => {
  it("is up when its last poll said active and is fresh", () => {
    expect(storeNow(store({}), at("16:45"), clocks)).toMatchObject({ state: "up", openNow: true, businessUs: 0 });
  });

  it("is down since halfway between the last active poll and the first inactive one, for the business time since", () => {
    const down = store({ lastActive: false, runAfterPoll: at("14:00"), runFirstPoll: at("15:00"), lastPoll: at("16:30") });
    expect(storeNow(down, at("16:45"), clocks)).toEqual({
      state: "down",
      since: at("14:30"),
      sinceFirstPoll: false,
      businessUs: 2.25 * HOUR,
      openNow: true,
    });
  });

  it("counts only business hours across a closing time and the next opening", () => {
    const down = store({ lastActive: false, runAfterPoll: at("15:00"), runFirstPoll: at("16:00"), lastPoll: at("09:50", MONDAY + 1) });
    const now = storeNow(down, at("10:00", MONDAY + 1), clocks);
    expect(now).toMatchObject({ state: "down", since: at("15:30"), openNow: true });
    expect(now.businessUs).toBe(1.5 * HOUR + 1 * HOUR); // 15:30-17:00, then 09:00-10:00
  });

  it("is down since its first poll when no poll before the run said otherwise", () => {
    const down = store({ lastActive: false, firstPoll: at("12:00"), runFirstPoll: at("12:00"), runAfterPoll: null });
    expect(storeNow(down, at("16:45"), clocks)).toMatchObject({ state: "down", since: at("12:00"), sinceFirstPoll: true });
  });

  it("has no data when open and its last poll is older than FRESH_WITHIN, since that poll, whatever it said", () => {
    const silent = store({ lastActive: false, lastPoll: at("16:00"), runAfterPoll: at("14:00"), runFirstPoll: at("15:00") });
    const now = storeNow(silent, at("10:00", MONDAY + 1), clocks);
    expect(now).toMatchObject({ state: "no_data", since: at("16:00"), sinceFirstPoll: false, openNow: true });
    expect(now.businessUs).toBe(2 * HOUR); // 16:00-17:00, then 09:00-10:00
  });

  it("a poller quiet while the store is closed is no silence: the store is what its last poll said", () => {
    expect(storeNow(store({ lastPoll: at("16:30") }), at("08:00", MONDAY + 1), clocks)).toMatchObject({ state: "up", openNow: false });
    const down = store({ lastActive: false, lastPoll: at("16:30"), runAfterPoll: at("15:00"), runFirstPoll: at("16:00") });
    expect(storeNow(down, at("08:00", MONDAY + 1), clocks)).toMatchObject({ state: "down", openNow: false, businessUs: 1.5 * HOUR });
  });

  it.each([
    ["exactly FRESH_WITHIN old", 0, "up"],
    ["a microsecond older", 1, "no_data"],
  ])("a last poll %s is %s", (_, more, state) => {
    const now = at("12:00");
    expect(storeNow(store({ lastPoll: now - FRESH_WITHIN - more }), now, clocks).state).toBe(state);
  });
});
