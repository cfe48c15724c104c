import { describe, expect, it } from "vitest";
import { FRESH_WITHIN, isoMicros, storeFreshness } from "./freshness";
import { healthOf, uptimePercent } from "./health";
import { WINDOWS } from "./store-uptime";

const MIN = 60e6;
const NOW = Date.UTC(2024, 9, 14, 23, 0) * 1000;
const polls = (...minutesBefore: number[]) => minutesBefore.map((m) => ({ at: NOW - m * MIN, active: true })).sort((a, b) => a.at - b.at);

describe("freshness of a store's figures", () => {
  it("fresh: a poll at most 90 minutes before now", () => {
    expect(storeFreshness(polls(90), NOW)).toMatchObject({ state: "fresh", lastPoll: NOW - FRESH_WITHIN });
    expect(storeFreshness(polls(0), NOW).state).toBe("fresh");
  });

  it("stale: the last poll is older than 90 minutes, but inside the week", () => {
    expect(storeFreshness(polls(91), NOW).state).toBe("stale");
    expect(storeFreshness(polls(7 * 24 * 60), NOW).state).toBe("stale"); // exactly at the week's start: inside
  });

  it("no data: no poll inside the week (a feed that stopped), or no poll at all", () => {
    expect(storeFreshness(polls(7 * 24 * 60 + 1), NOW).state).toBe("no_data");
    expect(storeFreshness(polls(7 * 24 * 60 + 91), NOW)).toMatchObject({ state: "no_data", coverage: 0 });
    expect(storeFreshness([], NOW)).toEqual({ state: "no_data", lastPoll: null, coverage: 0 });
  });

  it("polls after now are not looked at", () => {
    expect(storeFreshness([...polls(600), { at: NOW + MIN, active: false }], NOW)).toMatchObject({
      state: "stale",
      lastPoll: NOW - 600 * MIN,
    });
  });

  it("coverage: the share of the week within 90 minutes of a poll, overlaps counted once, clipped to the week", () => {
    expect(storeFreshness(polls(600), NOW).coverage).toBeCloseTo((180 * MIN) / WINDOWS.week, 12);
    expect(storeFreshness(polls(600, 660), NOW).coverage).toBeCloseTo((240 * MIN) / WINDOWS.week, 12);
    expect(storeFreshness(polls(30), NOW).coverage).toBeCloseTo((120 * MIN) / WINDOWS.week, 12); // [now-120, now)
    expect(storeFreshness(polls(7 * 24 * 60 + 60), NOW).coverage).toBeCloseTo((30 * MIN) / WINDOWS.week, 12); // before the week
    const hourly = Array.from({ length: 24 * 7 + 1 }, (_, h) => h * 60);
    expect(storeFreshness(polls(...hourly), NOW).coverage).toBe(1);
  });
});

describe("health", () => {
  it.each([
    [99, "fine"],
    [98.9, "warning"],
    [95, "warning"],
    [94.9, "bad"],
    [null, "none"],
  ] as const)("%s%% is %s", (percent, health) => expect(healthOf(percent)).toBe(health));

  it("uptime percent of business time, one decimal; none without business time", () => {
    expect(uptimePercent(2, 1)).toBe(66.7);
    expect(uptimePercent(0, 0)).toBeNull();
  });
});

it("instants keep their microseconds in ISO form", () => {
  expect(isoMicros(Date.UTC(2024, 0, 2, 3, 4, 5, 678) * 1000 + 901)).toBe("2024-01-02T03:04:05.678901Z");
  expect(isoMicros(Date.UTC(2024, 0, 2, 3, 4, 5, 678) * 1000 + 901.5)).toBe("2024-01-02T03:04:05.678901Z"); // a midpoint
});
