import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  businessIntervals,
  reportFigures,
  roundTo2Decimals,
  countWeek,
  ZoneClocks,
  type HoursRow,
  type Poll,
  type StoreData,
} from "./index";

const us = (iso: string) => Date.parse(iso) * 1000;
const H = 3600e6;
const MIN = 60e6;
const t = (hhmmss: string) => {
  const [h, m, s] = hhmmss.split(":").map(Number) as [number, number, number];
  return h * 3600 + m * 60 + s;
};
const row = (dayOfWeek: number, start: string, end: string): HoursRow => ({ dayOfWeek, start: t(start), end: t(end) });
const poll = (iso: string, active = true): Poll => ({ at: us(iso), active });

function durations(store: Partial<StoreData>, nowIso: string) {
  const result = countWeek({ storeId: "s", timeZone: "UTC", hours: [], polls: [], ...store }, us(nowIso), new ZoneClocks());
  if (!result) throw new Error("no row");
  return result.durations;
}

// 2023-01-02 is a Monday (day 0).
describe("the report specification", () => {
  it("worked example: 09:00-12:00, polls at 10:14 up and 11:15 down: up until 10:44:30, down after", () => {
    const d = durations(
      { hours: [row(0, "09:00:00", "12:00:00")], polls: [poll("2023-01-02T10:14:00Z"), poll("2023-01-02T11:15:00Z", false)] },
      "2023-01-02T23:00:00Z",
    );
    expect(d.day.up).toBe(H + 44.5 * MIN);
    expect(d.day.down).toBe(H + 15.5 * MIN);
    expect(reportFigures(d)).toMatchObject({ uptimeLastDay: "1.74", downtimeLastDay: "1.26", uptimeLastWeek: "1.74" });
  });

  it("windows are half-open and end at now: [now-1h, now), [now-24h, now), [now-7x24h, now)", () => {
    const d = durations({ polls: [poll("2023-01-02T00:00:00Z")] }, "2023-01-09T00:00:00Z");
    expect(d.hour.up).toBe(H);
    expect(d.day.up).toBe(24 * H);
    expect(d.week.up).toBe(7 * 24 * H);
    expect(d.week.down).toBe(0);
  });

  it("polls after now are ignored", () => {
    const d = durations({ polls: [poll("2023-01-02T10:00:00Z"), poll("2023-01-02T12:00:01Z", false)] }, "2023-01-02T12:00:00Z");
    expect(d.hour).toEqual({ up: H, down: 0 });
  });

  it("a store with no poll at or before now has no row", () => {
    const result = countWeek(
      { storeId: "s", timeZone: "UTC", hours: [], polls: [poll("2023-01-03T00:00:00Z")] },
      us("2023-01-02T00:00:00Z"),
      new ZoneClocks(),
    );
    expect(result).toBeNull();
  });

  it("status at an instant is that of the nearest poll: each poll owns the time up to the midpoints", () => {
    const d = durations(
      { polls: [poll("2023-01-02T11:00:00Z", false), poll("2023-01-02T11:20:00Z"), poll("2023-01-02T12:00:00Z", false)] },
      "2023-01-02T12:00:00Z",
    );
    // 11:00-11:10 down, 11:10-11:40 up, 11:40-12:00 down.
    expect(d.hour).toEqual({ up: 30 * MIN, down: 30 * MIN });
  });

  it("the first poll owns everything before it and the last poll everything after it", () => {
    const d = durations({ polls: [poll("2023-01-05T00:00:00Z", false), poll("2023-01-06T00:00:00Z")] }, "2023-01-09T00:00:00Z");
    // Down from the week's start (Jan 2) to the midpoint (Jan 5 12:00), up from there to now.
    expect(d.week.down).toBe(3.5 * 24 * H);
    expect(d.week.up).toBe(3.5 * 24 * H);
  });

  it("a store whose only poll is days old keeps that status for the whole week", () => {
    const d = durations({ polls: [poll("2022-12-20T08:00:00Z", false)] }, "2023-01-09T00:00:00Z");
    expect(d.week).toEqual({ up: 0, down: 7 * 24 * H });
  });

  it("a store with polls only outside its hours gets its hours' status from the nearest poll", () => {
    const d = durations(
      { hours: [row(0, "09:00:00", "17:00:00")], polls: [poll("2023-01-02T06:00:00Z", false), poll("2023-01-02T20:00:00Z")] },
      "2023-01-02T23:00:00Z",
    );
    // Midpoint 13:00: 09-13 down, 13-17 up.
    expect(d.day).toEqual({ up: 4 * H, down: 4 * H });
  });
});

describe("business hours", () => {
  const clocks = new ZoneClocks();
  const length = (hours: HoursRow[], zone: string, from: string, to: string) =>
    businessIntervals(hours, clocks.get(zone), us(from), us(to)).reduce((s, i) => s + i.end - i.start, 0);

  it("a window past midnight (end <= start) closes on the next day", () => {
    expect(
      businessIntervals([row(0, "22:00:00", "02:00:00")], clocks.get("UTC"), us("2023-01-02T00:00:00Z"), us("2023-01-04T00:00:00Z")),
    ).toEqual([{ start: us("2023-01-02T22:00:00Z"), end: us("2023-01-03T02:00:00Z") }]);
  });

  it("end == start means 24 hours", () => {
    expect(length([row(0, "16:00:00", "16:00:00")], "UTC", "2023-01-01T00:00:00Z", "2023-01-05T00:00:00Z")).toBe(24 * H);
  });

  it("several windows a day all count", () => {
    const hours = [row(0, "07:00:00", "11:00:00"), row(0, "12:00:00", "15:00:00"), row(0, "18:00:00", "22:30:00")];
    expect(length(hours, "UTC", "2023-01-02T00:00:00Z", "2023-01-03T00:00:00Z")).toBe(11.5 * H);
  });

  it("overlapping rows are merged, never counted twice", () => {
    const hours = [row(0, "09:00:00", "21:00:00"), row(0, "20:00:00", "23:30:00"), row(0, "10:00:00", "11:00:00")];
    expect(businessIntervals(hours, clocks.get("UTC"), us("2023-01-02T00:00:00Z"), us("2023-01-03T00:00:00Z"))).toEqual([
      { start: us("2023-01-02T09:00:00Z"), end: us("2023-01-02T23:30:00Z") },
    ]);
  });

  it("a window that opened the day before the range starts counts for the part inside it", () => {
    // Sunday 20:00 to Monday 04:00; the range starts Monday 00:00.
    expect(length([row(6, "20:00:00", "04:00:00")], "UTC", "2023-01-02T00:00:00Z", "2023-01-03T00:00:00Z")).toBe(4 * H);
  });

  it("times are literal: 23:59:59 closes one second before midnight", () => {
    expect(length([row(0, "00:00:00", "23:59:59")], "UTC", "2023-01-02T00:00:00Z", "2023-01-03T00:00:00Z")).toBe(24 * H - 1e6);
  });

  it("a store with no business-hours rows is open 24x7", () => {
    expect(length([], "UTC", "2023-01-02T00:00:00Z", "2023-01-09T00:00:00Z")).toBe(7 * 24 * H);
  });

  it("a store with rows but none for some weekday is closed that day", () => {
    const hours = [row(0, "09:00:00", "17:00:00"), row(2, "09:00:00", "17:00:00")];
    expect(length(hours, "UTC", "2023-01-03T00:00:00Z", "2023-01-04T00:00:00Z")).toBe(0); // Tuesday
    expect(length(hours, "UTC", "2023-01-02T00:00:00Z", "2023-01-09T00:00:00Z")).toBe(16 * H);
  });

  it("a store without a time-zone row uses America/Chicago", () => {
    const d = durations(
      { timeZone: null, hours: [row(0, "09:00:00", "10:00:00")], polls: [poll("2023-01-02T15:30:00Z")] },
      "2023-01-02T15:30:00Z",
    );
    // 09:00-10:00 CST is 15:00-16:00 UTC; now is 15:30 UTC.
    expect(d.day.up).toBe(30 * MIN);
  });

  it("spring forward in America/New_York: a skipped wall time takes the offset before the change", () => {
    // 2023-03-12 (Sunday): 02:00 EST jumps to 03:00 EDT. 02:30 is read as 02:30 EST = 07:30 UTC = 03:30 EDT.
    expect(
      businessIntervals(
        [row(6, "02:30:00", "05:00:00")],
        clocks.get("America/New_York"),
        us("2023-03-12T00:00:00Z"),
        us("2023-03-13T00:00:00Z"),
      ),
    ).toEqual([{ start: us("2023-03-12T07:30:00Z"), end: us("2023-03-12T09:00:00Z") }]);
    // 01:00-04:00 local is only two real hours that day.
    expect(length([row(6, "01:00:00", "04:00:00")], "America/New_York", "2023-03-12T00:00:00Z", "2023-03-13T00:00:00Z")).toBe(2 * H);
  });

  it("fall back in America/New_York: a repeated wall time is its earlier instant", () => {
    // 2023-11-05 (Sunday): 02:00 EDT falls back to 01:00 EST. 01:30 is the first one, 05:30 UTC.
    expect(
      businessIntervals(
        [row(6, "01:30:00", "03:00:00")],
        clocks.get("America/New_York"),
        us("2023-11-05T00:00:00Z"),
        us("2023-11-06T00:00:00Z"),
      ),
    ).toEqual([{ start: us("2023-11-05T05:30:00Z"), end: us("2023-11-05T08:00:00Z") }]);
    // 00:00-03:00 local lasts four real hours that day.
    expect(length([row(6, "00:00:00", "03:00:00")], "America/New_York", "2023-11-05T00:00:00Z", "2023-11-06T00:00:00Z")).toBe(4 * H);
  });

  it("a half-hour zone (Asia/Kolkata, UTC+05:30)", () => {
    expect(
      businessIntervals(
        [row(0, "09:00:00", "17:00:00")],
        clocks.get("Asia/Kolkata"),
        us("2023-01-02T00:00:00Z"),
        us("2023-01-03T00:00:00Z"),
      ),
    ).toEqual([{ start: us("2023-01-02T03:30:00Z"), end: us("2023-01-02T11:30:00Z") }]);
  });

  it("a southern-hemisphere zone (Australia/Sydney) changes in October and April", () => {
    // 2023-10-01 (Sunday) 02:00 AEST jumps to 03:00 AEDT: 00:00-06:00 lasts five hours.
    expect(length([row(6, "00:00:00", "06:00:00")], "Australia/Sydney", "2023-09-30T00:00:00Z", "2023-10-02T00:00:00Z")).toBe(5 * H);
    // 2023-04-02 (Sunday) 03:00 AEDT falls back to 02:00 AEST: 02:30 is its earlier instant, 15:30 UTC the day before.
    expect(
      businessIntervals(
        [row(6, "02:30:00", "04:00:00")],
        clocks.get("Australia/Sydney"),
        us("2023-04-01T00:00:00Z"),
        us("2023-04-03T00:00:00Z"),
      ),
    ).toEqual([{ start: us("2023-04-01T15:30:00Z"), end: us("2023-04-01T18:00:00Z") }]);
  });
});

describe("figures", () => {
  it.each([
    [0, 60e6, "0.00"],
    [1.5 * 60e6, 60e6, "1.50"],
    [0.125 * 60e6, 60e6, "0.13"], // an exact half rounds away from zero
    [0.124999 * 60e6, 60e6, "0.12"],
    [H + 44.5 * MIN, H, "1.74"],
    [167.995 * H, H, "168.00"],
    [0.5, H, "0.00"],
  ])("rounds %d microseconds in units of %d to %s", (value, unit, text) => {
    expect(roundTo2Decimals(value, unit)).toBe(text);
  });

  it("last hour is in minutes, last day and week in hours", () => {
    const f = reportFigures({
      hour: { up: 30 * MIN, down: 30 * MIN },
      day: { up: 12 * H, down: 12 * H },
      week: { up: 84 * H, down: 84 * H },
    });
    expect(f).toEqual({
      uptimeLastHour: "30.00",
      uptimeLastDay: "12.00",
      uptimeLastWeek: "84.00",
      downtimeLastHour: "30.00",
      downtimeLastDay: "12.00",
      downtimeLastWeek: "84.00",
    });
  });
});

describe("invariant", () => {
  const zones = ["UTC", "America/New_York", "America/Chicago", "Asia/Kolkata", "Australia/Sydney", "Asia/Kathmandu", "Asia/Beirut"];
  const time = fc.integer({ min: 0, max: 86_399 });
  const hoursRow = fc.record({ dayOfWeek: fc.integer({ min: 0, max: 6 }), start: time, end: time });
  const now = fc.integer({ min: Date.parse("2023-01-01T00:00:00Z") / 1000, max: Date.parse("2024-12-31T00:00:00Z") / 1000 });

  it("uptime + downtime equals the business time in each window, on random stores", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones, null),
        fc.array(hoursRow, { maxLength: 12 }),
        now,
        fc.array(fc.tuple(fc.integer({ min: -10 * 86_400_000_000, max: 0 }), fc.boolean()), { minLength: 1, maxLength: 40 }),
        (zone, hours, nowSeconds, offsets) => {
          const nowUs = nowSeconds * 1e6;
          const polls = [...new Map(offsets.map(([o, a]) => [nowUs + o, a])).entries()]
            .map(([at, active]) => ({ at, active }))
            .sort((a, b) => a.at - b.at);
          const clocks = new ZoneClocks();
          const result = countWeek({ storeId: "s", timeZone: zone, hours, polls }, nowUs, clocks)!;
          const clock = clocks.get(zone ?? "America/Chicago");
          for (const [name, length] of [
            ["hour", H],
            ["day", 24 * H],
            ["week", 168 * H],
          ] as const) {
            const open = businessIntervals(hours, clock, nowUs - length, nowUs).reduce((s, i) => s + i.end - i.start, 0);
            const d = result.durations[name];
            expect(d.up + d.down).toBeCloseTo(open, 6);
            expect(d.up).toBeGreaterThanOrEqual(0);
            expect(d.down).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
