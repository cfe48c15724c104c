// An independent check of the engine: a deliberately naive second implementation that walks the week
// minute by minute, asks Intl for each minute's local wall time, and tests it against the rows as wall-clock
// ranges. It agrees with the specification wherever no row starts or ends inside a daylight-saving gap or
// overlap, so the random rows below keep their times out of 00:00-04:00 on the zones that change then.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countWeek, ZoneClocks, type HoursRow, type Poll } from "./index";

const MINUTE = 60e6;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local weekday (0 = Monday) and seconds past local midnight of an instant, from Intl alone. */
function wallTime(zone: string, us: number): { weekday: number; seconds: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(us / 1000)).map((p) => [p.type, p.value]));
  return {
    weekday: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday!),
    seconds: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second),
  };
}

function openAt(hours: HoursRow[], zone: string, us: number): boolean {
  if (hours.length === 0) return true;
  const { weekday, seconds } = wallTime(zone, us);
  const yesterday = (weekday + 6) % 7;
  return hours.some((r) =>
    r.end > r.start
      ? r.dayOfWeek === weekday && seconds >= r.start && seconds < r.end
      : (r.dayOfWeek === weekday && seconds >= r.start) || (r.dayOfWeek === yesterday && seconds < r.end),
  );
}

function nearestActive(polls: Poll[], us: number): boolean {
  let best = polls[0]!;
  for (const p of polls) if (Math.abs(p.at - us) < Math.abs(best.at - us)) best = p;
  return best.active;
}

/** Minutes up and down within business hours in [now - span, now), sampled at each minute's middle. */
function naive(hours: HoursRow[], zone: string, polls: Poll[], now: number, span: number) {
  let up = 0;
  let down = 0;
  for (let t = now - span + MINUTE / 2; t < now; t += MINUTE) {
    if (!openAt(hours, zone, t)) continue;
    if (nearestActive(polls, t)) up++;
    else down++;
  }
  return { up, down };
}

describe("the engine agrees with a naive minute-by-minute implementation", () => {
  const zones = [
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Asia/Kathmandu",
    "Europe/London",
    "UTC",
  ];
  // Rows on whole minutes, away from the small hours when clocks change.
  const time = fc.integer({ min: 4 * 60, max: 23 * 60 + 59 }).map((m) => m * 60);
  const row = fc.record({ dayOfWeek: fc.integer({ min: 0, max: 6 }), start: time, end: time });
  // Weeks around the 2023 and 2024 daylight-saving changes of both hemispheres, and ordinary ones.
  const nows = [
    "2023-03-14T17:00:00Z",
    "2023-04-04T03:00:00Z",
    "2023-10-03T12:00:00Z",
    "2023-11-07T09:30:00Z",
    "2024-01-20T20:00:00Z",
    "2024-07-01T00:00:00Z",
  ];

  it("on random stores, to within a minute per midpoint between polls", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.array(row, { maxLength: 8 }),
        fc.constantFrom(...nows),
        fc.array(fc.tuple(fc.integer({ min: -8 * 24 * 60, max: 0 }), fc.boolean()), { minLength: 1, maxLength: 30 }),
        (zone, hours, nowIso, pollMinutes) => {
          const now = Date.parse(nowIso) * 1000;
          // Polls a quarter past the minute, so that no sampled minute sits exactly on a midpoint between two polls.
          const polls = [...new Map(pollMinutes.map(([m, a]) => [now + m * MINUTE + MINUTE / 4, a])).entries()]
            .filter(([at]) => at <= now)
            .map(([at, active]) => ({ at, active }))
            .sort((a, b) => a.at - b.at);
          if (polls.length === 0) return;
          const result = countWeek({ storeId: "s", timeZone: zone, hours, polls }, now, new ZoneClocks())!;
          const expected = naive(hours, zone, polls, now, 7 * 24 * 60 * MINUTE);
          // Openings and closings fall on whole minutes, so the samples count them exactly; a midpoint between
          // two polls may fall inside a minute and move at most that one minute.
          const boundaries = polls.length;
          expect(Math.abs(result.durations.week.up / MINUTE - expected.up)).toBeLessThanOrEqual(boundaries);
          expect(Math.abs(result.durations.week.down / MINUTE - expected.down)).toBeLessThanOrEqual(boundaries);
          const day = naive(hours, zone, polls, now, 24 * 60 * MINUTE);
          expect(Math.abs(result.durations.day.up / MINUTE - day.up)).toBeLessThanOrEqual(boundaries);
          expect(Math.abs(result.durations.day.down / MINUTE - day.down)).toBeLessThanOrEqual(boundaries);
        },
      ),
      { numRuns: 80 },
    );
  });
});
