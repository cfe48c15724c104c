import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dailyDurations, outages, countWeek, WINDOWS, ZoneClocks, type HoursRow, type StoreData } from "./index";

const us = (iso: string) => Date.parse(iso) * 1000;
const H = 3600e6;

describe("outages", () => {
  it("joins down spans that touch; up time or closing time in between makes two", () => {
    expect(
      outages([
        { start: 0, end: 10, active: true },
        { start: 10, end: 20, active: false },
        { start: 20, end: 25, active: false },
        { start: 25, end: 30, active: true },
        { start: 30, end: 40, active: false },
        { start: 50, end: 60, active: false }, // after closing (40-50): a new outage
      ]),
    ).toEqual([
      { start: 10, end: 25 },
      { start: 30, end: 40 },
      { start: 50, end: 60 },
    ]);
  });

  it("add up to the report's week downtime, for any store (property)", () => {
    const now = us("2023-01-09T17:30:00Z");
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 9 * 24 * 60 }), active: fc.boolean() }), { minLength: 1, maxLength: 60 }),
        fc.array(
          fc.record({
            dayOfWeek: fc.integer({ min: 0, max: 6 }),
            start: fc.integer({ min: 0, max: 86_399 }),
            end: fc.integer({ min: 0, max: 86_399 }),
          }),
          { maxLength: 6 },
        ),
        fc.constantFrom("UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"),
        (minutes, hours: HoursRow[], timeZone) => {
          const polls = [...new Set(minutes.map((m) => m.at))]
            .sort((a, b) => a - b)
            .map((m) => ({ at: now - m * 60e6, active: minutes.find((x) => x.at === m)!.active }))
            .sort((a, b) => a.at - b.at);
          const timeline = countWeek({ storeId: "s", timeZone, hours, polls }, now, new ZoneClocks())!;
          const down = outages(timeline.counted).reduce((sum, o) => sum + o.end - o.start, 0);
          expect(down).toBe(timeline.durations.week.down);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("daily durations", () => {
  const store: StoreData = {
    storeId: "s",
    timeZone: "America/New_York",
    hours: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, start: 9 * 3600, end: 17 * 3600 })),
    polls: Array.from({ length: 24 * 40 }, (_, h) => ({ at: us("2023-01-01T00:10:00Z") + h * H, active: h % 7 !== 0 })),
  };

  it("over the last week, add up to the report's week figures", () => {
    const now = us("2023-01-30T15:00:00Z");
    const days = dailyDurations(store, now - WINDOWS.week, now, new ZoneClocks())!;
    const week = countWeek(store, now, new ZoneClocks())!.durations.week;
    expect(days).toHaveLength(8); // a week ending mid-day touches 8 local dates
    expect(days.reduce((s, d) => s + d.up, 0)).toBe(week.up);
    expect(days.reduce((s, d) => s + d.down, 0)).toBe(week.down);
  });

  it("give each local date its own business hours (8 hours a whole day here)", () => {
    const now = us("2023-01-30T15:00:00Z");
    const days = dailyDurations(store, now - 30 * 24 * H, now, new ZoneClocks())!;
    expect(days).toHaveLength(31);
    for (const day of days.slice(1, -1)) expect(day.up + day.down).toBe(8 * H);
    expect(days.slice(1, -1).every((d) => d.polls === 24)).toBe(true);
    expect(dailyDurations(store, now - 40 * 24 * H, now, new ZoneClocks())![0]!.polls).toBe(0); // before the first poll
  });

  it("are null for a store with no poll yet", () => {
    expect(dailyDurations({ ...store, polls: [] }, 0, us("2023-01-30T15:00:00Z"), new ZoneClocks())).toBeNull();
  });
});
