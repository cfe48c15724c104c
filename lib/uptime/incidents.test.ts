import { describe, expect, it } from "vitest";
import { downIncidents, noDataIncident, countWeek, ZoneClocks } from "./index";

const us = (iso: string) => Date.parse(iso) * 1000;
const MIN = 60e6;
// 2023-01-02 is a Monday; the store is open 09:00-17:00 UTC every day.
const hours = [0, 1, 2, 3, 4, 5, 6].map((dayOfWeek) => ({ dayOfWeek, start: 9 * 3600, end: 17 * 3600 }));
const store = (polls: [string, boolean][]) => ({
  storeId: "s",
  timeZone: "UTC",
  hours,
  polls: polls.map(([iso, active]) => ({ at: us(iso), active })),
});
const incidents = (polls: [string, boolean][], nowIso: string, afterMinutes = 15) => {
  const timeline = countWeek(store(polls), us(nowIso), new ZoneClocks())!;
  return downIncidents(timeline.counted, us(nowIso), afterMinutes * MIN);
};

describe("incidents: down within business hours for at least the rule's time, by the nearest poll", () => {
  it("opens once down for the rule's time, and lasts while the store is down now", () => {
    const polls: [string, boolean][] = [
      ["2023-01-02T10:00:00Z", true],
      ["2023-01-02T10:20:00Z", false],
    ];
    // Down from 10:10 (the midpoint): not yet 15 minutes at 10:22; open (since 10:25) at 10:30.
    expect(incidents(polls, "2023-01-02T10:22:00Z")).toEqual([]);
    expect(incidents(polls, "2023-01-02T10:30:00Z")).toEqual([
      { start: us("2023-01-02T10:10:00Z"), opened: us("2023-01-02T10:25:00Z"), end: null },
    ]);
  });

  it("resolves when the store is up again (at the midpoint between the polls)", () => {
    const polls: [string, boolean][] = [
      ["2023-01-02T10:00:00Z", true],
      ["2023-01-02T11:00:00Z", false],
      ["2023-01-02T12:00:00Z", true],
    ];
    expect(incidents(polls, "2023-01-02T12:05:00Z")).toEqual([
      { start: us("2023-01-02T10:30:00Z"), opened: us("2023-01-02T10:45:00Z"), end: us("2023-01-02T11:30:00Z") },
    ]);
  });

  it("closing time ends an incident; the next opening starts a new one", () => {
    const polls: [string, boolean][] = [
      ["2023-01-02T15:00:00Z", true],
      ["2023-01-02T16:00:00Z", false],
    ];
    expect(incidents(polls, "2023-01-03T09:30:00Z")).toEqual([
      { start: us("2023-01-02T15:30:00Z"), opened: us("2023-01-02T15:45:00Z"), end: us("2023-01-02T17:00:00Z") },
      { start: us("2023-01-03T09:00:00Z"), opened: us("2023-01-03T09:15:00Z"), end: null },
    ]);
  });

  it("a store down only outside its business hours has none", () => {
    expect(
      incidents(
        [
          ["2023-01-02T16:30:00Z", true],
          ["2023-01-02T20:00:00Z", false],
        ],
        "2023-01-02T23:00:00Z",
      ),
    ).toEqual([]);
  });
});

describe("no data: a store open now whose poller has been silent for the rule's time", () => {
  const open = [{ start: us("2023-01-02T09:00:00Z"), end: us("2023-01-02T12:00:00Z") }];
  it("opens after the rule's time of silence", () => {
    expect(noDataIncident(us("2023-01-02T10:00:00Z"), open, us("2023-01-02T11:00:00Z"), 90 * MIN)).toBeNull();
    expect(noDataIncident(us("2023-01-02T10:00:00Z"), open, us("2023-01-02T12:00:00Z"), 90 * MIN)).toEqual({
      start: us("2023-01-02T10:00:00Z"),
      opened: us("2023-01-02T11:30:00Z"),
    });
  });
  it("a silence through the night opens at the opening, not before; a closed store has none", () => {
    expect(noDataIncident(us("2023-01-01T20:00:00Z"), open, us("2023-01-02T09:30:00Z"), 90 * MIN)).toEqual({
      start: us("2023-01-01T20:00:00Z"),
      opened: us("2023-01-02T09:00:00Z"),
    });
    expect(noDataIncident(us("2023-01-01T20:00:00Z"), [], us("2023-01-02T08:00:00Z"), 90 * MIN)).toBeNull();
  });
});
