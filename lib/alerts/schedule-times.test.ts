import { formatInTimeZone } from "date-fns-tz";
import { describe, expect, it } from "vitest";
import { lastDue, nextDue, type Schedule } from "./schedule-times";

const daily = (at: string, timeZone: string): Schedule => ({ every: "day", at, weekday: null, timeZone });
const weekly = (weekday: number, at: string, timeZone: string): Schedule => ({ every: "week", at, weekday, timeZone });

describe("report schedules", () => {
  it("a daily time in the rule's zone", () => {
    const s = daily("07:30", "America/Chicago"); // UTC-5 in summer
    expect(nextDue(s, new Date("2024-10-14T12:29:59Z")).toISOString()).toBe("2024-10-14T12:30:00.000Z");
    expect(nextDue(s, new Date("2024-10-14T12:30:00Z")).toISOString()).toBe("2024-10-15T12:30:00.000Z");
    expect(lastDue(s, new Date("2024-10-14T12:30:00Z")).toISOString()).toBe("2024-10-14T12:30:00.000Z");
    expect(lastDue(s, new Date("2024-10-14T12:29:59Z")).toISOString()).toBe("2024-10-13T12:30:00.000Z");
  });

  it("keeps the local time across a change of the clocks", () => {
    const s = daily("07:30", "America/Chicago");
    // Clocks went back on 2024-11-03: 07:30 is 12:30 UTC before, 13:30 UTC after.
    expect(nextDue(s, new Date("2024-11-02T13:00:00Z")).toISOString()).toBe("2024-11-03T13:30:00.000Z");
  });

  it("a local date other than UTC's", () => {
    const s = daily("00:15", "Asia/Kolkata"); // UTC+5:30: 18:45 UTC the day before
    expect(nextDue(s, new Date("2024-10-14T18:00:00Z")).toISOString()).toBe("2024-10-14T18:45:00.000Z");
  });

  it("a weekday each week", () => {
    const s = weekly(0, "09:00", "UTC"); // Mondays
    expect(nextDue(s, new Date("2024-10-15T00:00:00Z")).toISOString()).toBe("2024-10-21T09:00:00.000Z");
    expect(lastDue(s, new Date("2024-10-15T00:00:00Z")).toISOString()).toBe("2024-10-14T09:00:00.000Z");
  });

  // Weekdays are numbered as the business-hours feed numbers its days. From Sunday 2024-10-13, 14:00 in Berlin
  // (UTC+2 until the 27th), each weekday's 07:00 comes next in the week of Monday 2024-10-14.
  it.each([
    [0, "Monday", "2024-10-14T05:00:00.000Z"],
    [1, "Tuesday", "2024-10-15T05:00:00.000Z"],
    [2, "Wednesday", "2024-10-16T05:00:00.000Z"],
    [3, "Thursday", "2024-10-17T05:00:00.000Z"],
    [4, "Friday", "2024-10-18T05:00:00.000Z"],
    [5, "Saturday", "2024-10-19T05:00:00.000Z"],
    [6, "Sunday", "2024-10-20T05:00:00.000Z"],
  ])("weekday %i is %s (0 = Monday .. 6 = Sunday): every week at 07:00 Europe/Berlin", (weekday, name, due) => {
    const s = weekly(weekday, "07:00", "Europe/Berlin");
    const next = nextDue(s, new Date("2024-10-13T12:00:00Z"));
    expect(next.toISOString()).toBe(due);
    expect(formatInTimeZone(next, "Europe/Berlin", "EEEE HH:mm")).toBe(`${name} 07:00`);
    // The one before is the same day a week earlier.
    expect(lastDue(s, new Date(next.getTime() - 1)).toISOString()).toBe(new Date(next.getTime() - 7 * 86_400_000).toISOString());
  });

  it("the weekday is the rule's zone's, not UTC's: Monday 07:00 in Auckland is Sunday evening in UTC", () => {
    const s = weekly(0, "07:00", "Pacific/Auckland"); // UTC+13 in October
    const next = nextDue(s, new Date("2024-10-13T12:00:00Z"));
    expect(next.toISOString()).toBe("2024-10-13T18:00:00.000Z");
    expect(formatInTimeZone(next, "Pacific/Auckland", "EEEE")).toBe("Monday");
  });
});
