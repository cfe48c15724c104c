import { describe, expect, it } from "vitest";
import { ZoneClock } from "../uptime";
import { muteEnd, nextDayOpening } from "./mute-end";

const chicago = new ZoneClock("America/Chicago");
const at = (h: number, m = 0) => h * 3600 + m * 60;
// Wednesday 2026-12-09 14:02 in Chicago (CST, UTC-6).
const now = new Date("2026-12-09T20:02:00Z");

describe("nextDayOpening", () => {
  it.each([
    [
      "tomorrow's first opening, in the store's zone",
      [
        { dayOfWeek: 3, start: at(11), end: at(22) },
        { dayOfWeek: 3, start: at(7), end: at(10) },
      ],
      "2026-12-10T13:00:00.000Z",
    ],
    ["the next day it opens, when it is closed tomorrow", [{ dayOfWeek: 5, start: at(9, 30), end: at(17) }], "2026-12-12T15:30:00.000Z"],
    ["a week on, when it opens only on today's weekday", [{ dayOfWeek: 2, start: at(9), end: at(17) }], "2026-12-16T15:00:00.000Z"],
    ["tomorrow's midnight for a store without hours (open around the clock)", [], "2026-12-10T06:00:00.000Z"],
  ])("%s", (_rule, hours, expected) => {
    expect(nextDayOpening(now, hours, chicago).toISOString()).toBe(expected);
  });

  it("counts days by the store's clock, not UTC's", () => {
    // 23:30 on Wednesday in Chicago is already Thursday in UTC: tomorrow is still Thursday.
    const late = new Date("2026-12-10T05:30:00Z");
    expect(nextDayOpening(late, [{ dayOfWeek: 3, start: at(8), end: at(20) }], chicago).toISOString()).toBe("2026-12-10T14:00:00.000Z");
  });
});

describe("muteEnd", () => {
  const opening = () => new Date("2026-12-10T13:00:00Z");
  it.each([
    ["1h is an hour from now", { for: "1h" as const }, "2026-12-09T21:02:00.000Z"],
    ["4h is four hours from now", { for: "4h" as const }, "2026-12-10T00:02:00.000Z"],
    ["next_opening is the store's next day's opening", { for: "next_opening" as const }, "2026-12-10T13:00:00.000Z"],
    ["until is the instant chosen", { until: "2026-12-20T08:00:00-06:00" }, "2026-12-20T14:00:00.000Z"],
  ])("%s", (_rule, input, expected) => {
    expect(muteEnd(input, now, opening)).toEqual({ until: new Date(expected) });
  });

  it("refuses an end that has passed", () => {
    expect(muteEnd({ until: "2026-12-09T20:00:00Z" }, now, opening)).toEqual({
      problem: "2026-12-09T20:00:00.000Z has passed: a mute must end later than now",
    });
  });

  it("refuses an end more than 30 days away, and takes exactly 30", () => {
    expect(muteEnd({ until: "2027-01-08T20:02:00Z" }, now, opening)).toEqual({ until: new Date("2027-01-08T20:02:00Z") });
    expect(muteEnd({ until: "2027-01-08T20:03:00Z" }, now, opening)).toMatchObject({ problem: expect.stringMatching(/at most 30 days/) });
  });
});
