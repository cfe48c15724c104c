import { describe, expect, it } from "vitest";
import { lastDue, nextDue, type Schedule } from "./schedule-times";

const daily = (at: string, timeZone: string): Schedule => ({ every: "day", at, weekday: null, timeZone });

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
    const s: Schedule = { every: "week", at: "09:00", weekday: 1, timeZone: "UTC" }; // Mondays
    expect(nextDue(s, new Date("2024-10-15T00:00:00Z")).toISOString()).toBe("2024-10-21T09:00:00.000Z");
    expect(lastDue(s, new Date("2024-10-15T00:00:00Z")).toISOString()).toBe("2024-10-14T09:00:00.000Z");
  });
});
