import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayRollups } from "./days";
import {
  countRolledWeek,
  countWeek,
  DEFAULT_TIME_ZONE,
  rawSegments,
  rollableDays,
  storeFreshness,
  sumRolledDays,
  WINDOWS,
  ZoneClocks,
  type HoursRow,
  type Poll,
  type RolledDays,
} from "./index";
import { utcEpochDay } from "./time-zone";
import { pollGap, weeklyHours, ZONES } from "../../tests/random-stores";

const MIN = 60e6;
const H = 60 * MIN;
const DAY = 24 * H;
const us = (iso: string) => Date.parse(iso) * 1000;

/** The polls a segment [a, b) is read with: the last one before a, every one inside, the first one at or after b. */
function segmentPolls(polls: readonly Poll[], a: number, b: number): Poll[] {
  const i = polls.findIndex((p) => p.at >= a);
  const j = polls.findIndex((p) => p.at >= b);
  const from = i < 0 ? polls.length : i;
  const to = j < 0 ? polls.length : j + 1;
  return polls.slice(Math.max(0, from - 1), to);
}

interface Store {
  timeZone: string | null;
  hours: HoursRow[];
  /** Every poll of the store, sorted, later ones than now too. */
  polls: Poll[];
}

/**
 * A store's week both ways: today's (countWeek and storeFreshness over every poll) and from roll-ups kept as the
 * fleet model keeps them (dayRollups over every poll, one per local day from the first poll's to the last poll's)
 * for the dates a report reads (those that can lie in the week), plus the raw polls of the head and the tail.
 */
function bothWays(store: Store, now: number) {
  const clocks = new ZoneClocks();
  const clock = clocks.get(store.timeZone ?? DEFAULT_TIME_ZONE);
  const today = countWeek({ storeId: "s", ...store }, now, clocks);
  const fresh = storeFreshness(store.polls, now);
  const { polls } = store;
  const firstHeld = polls.length > 0 ? clock.localEpochDay(polls[0]!.at) : 0;
  const lastHeld = polls.length > 0 ? clock.localEpochDay(polls.at(-1)!.at) : -1;
  const firstRead = Math.max(firstHeld, utcEpochDay(now - WINDOWS.week) - 1);
  const lastRead = Math.min(lastHeld, utcEpochDay(now) + 1);
  const rollups = dayRollups(store, firstRead, lastRead, clocks);
  const upToNow = polls.filter((p) => p.at <= now);
  const lastPoll = upToNow.at(-1)?.at ?? null;
  const days = rollableDays(clock, now, lastPoll, firstRead <= lastRead ? { firstDay: firstRead, lastDay: lastRead } : null);
  const rolled = sumRolledDays(rollups, days, clock, now);
  const { head, tail } = rawSegments(now, rolled);
  const rolledWeek = countRolledWeek(
    {
      timeZone: store.timeZone,
      hours: store.hours,
      rolled,
      head: head.end > head.start ? segmentPolls(polls, head.start, head.end) : [],
      tail: segmentPolls(upToNow, tail.start, tail.end),
    },
    now,
    clocks,
  );
  return { today: today && { durations: today.durations, freshness: fresh }, rolledWeek, rolled, days, lastPoll };
}

/** Hourly-ish polls (every 50 to 70 minutes, to the microsecond) over [from, to), up or down by `active`. */
function hourlyPolls(from: number, to: number, active: (at: number, i: number) => boolean): Poll[] {
  const polls: Poll[] = [];
  for (let at = from, i = 0; at < to; at += 50 * MIN + ((i * 7919) % 1201) * 1e6 + (i % 13), i++) polls.push({ at, active: active(at, i) });
  return polls;
}

describe("a report's week from daily roll-ups equals today's computation from every poll", () => {
  // Days around clock changes: the US's and Havana's (at midnight) in March and November, London's, Lord Howe's
  // half hour and Santiago's (at midnight) in April and September/October; and an ordinary July day.
  const anchors = [
    "2024-03-10T12:00:00Z",
    "2024-03-31T12:00:00Z",
    "2024-04-07T12:00:00Z",
    "2024-09-08T12:00:00Z",
    "2024-10-06T12:00:00Z",
    "2024-10-27T12:00:00Z",
    "2024-11-03T12:00:00Z",
    "2024-07-15T12:00:00Z",
  ].map(us);
  const gap = pollGap(4);
  const poll = fc.record({ gap, active: fc.boolean(), toMidnight: fc.integer({ min: 0, max: 30 }) });
  const nowChoice = fc.record({
    kind: fc.constantFrom("any", "midnight", "at a poll", "a week after a poll", "before the first poll", "days after the last poll"),
    offset: fc.integer({ min: -10 * DAY, max: 14 * DAY }),
    k: fc.nat(),
  });
  const counts = { rolled: 0, notRolled: 0, noRow: 0 };

  it("on random stores, hours, zones, polls and as-of instants (durations, last poll, coverage and state exactly)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.constantFrom(...anchors),
        weeklyHours(10),
        fc.integer({ min: -20 * DAY, max: 2 * DAY }),
        fc.array(poll, { maxLength: 300, size: "max" }),
        nowChoice,
        (timeZone, anchor, hours, firstAt, pollSteps, nowAt) => {
          const clock = new ZoneClocks().get(timeZone ?? DEFAULT_TIME_ZONE);
          const midnightNear = (at: number) => clock.instantOf(clock.localEpochDay(at), 0);
          let at = anchor + firstAt;
          const byTime = new Map<number, boolean>();
          for (const step of pollSteps) {
            at += step.gap;
            // One poll in thirty falls exactly on a local midnight.
            byTime.set(step.toMidnight === 0 ? midnightNear(at) : at, step.active);
          }
          const polls = [...byTime].map(([at, active]) => ({ at, active })).sort((a, b) => a.at - b.at);
          const pick = polls[nowAt.k % Math.max(1, polls.length)]?.at ?? anchor;
          const now = {
            any: anchor + nowAt.offset,
            midnight: midnightNear(anchor + nowAt.offset),
            "at a poll": pick,
            "a week after a poll": pick + WINDOWS.week,
            "before the first poll": (polls[0]?.at ?? anchor) - 1 - (nowAt.k % DAY),
            "days after the last poll": (polls.at(-1)?.at ?? anchor) + 1 + (nowAt.k % (5 * DAY)),
          }[nowAt.kind];
          const { today, rolledWeek, rolled } = bothWays({ timeZone, hours, polls }, now);
          expect(rolledWeek).toEqual(today);
          if (!today) counts.noRow++;
          else if (rolled.end > rolled.start) counts.rolled++;
          else counts.notRolled++;
        },
      ),
      { seed: 20_261_207, numRuns: 600 },
    );
    // The cases cover both ways of reading a week, and stores without a row.
    expect(counts.rolled).toBeGreaterThan(200);
    expect(counts.notRolled).toBeGreaterThan(30);
    expect(counts.noRow).toBeGreaterThan(10);
  });

  const weekdays = [0, 1, 2, 3, 4].map((dayOfWeek) => ({ dayOfWeek, start: 32_400, end: 61_200 }));
  it.each([
    ["23", "America/New_York", "2024-03-10", "2024-03-13T15:20:00Z", [{ dayOfWeek: 6, start: 3600, end: 10_800 }, ...weekdays]],
    [
      "25",
      "America/New_York",
      "2024-11-03",
      "2024-11-07T05:00:00Z",
      [
        { dayOfWeek: 6, start: 0, end: 7200 },
        { dayOfWeek: 5, start: 79_200, end: 3600 },
      ],
    ],
    ["23.5", "Australia/Lord_Howe", "2024-10-06", "2024-10-09T01:10:00Z", [{ dayOfWeek: 6, start: 5400, end: 5400 }]],
  ] as const)("with a day of %s hours (%s, %s) inside the week, rolled", (hoursInDay, timeZone, date, nowIso, hours) => {
    const now = us(nowIso);
    const polls = hourlyPolls(now - 20 * DAY, now + 2 * DAY, (at) => Math.floor(at / (7 * H)) % 3 !== 0);
    const { today, rolledWeek, days } = bothWays({ timeZone, hours: [...hours], polls }, now);
    const changeDay = utcEpochDay(us(`${date}T00:00:00Z`));
    const clock = new ZoneClocks().get(timeZone);
    expect(clock.instantOf(changeDay + 1, 0) - clock.instantOf(changeDay, 0)).toBe(Number(hoursInDay) * H);
    expect(days!.firstDay).toBeLessThanOrEqual(changeDay);
    expect(days!.lastDay).toBeGreaterThanOrEqual(changeDay);
    expect(rolledWeek).toEqual(today);
  });

  it("for a store silent for the last 3 days: only days up to its last poll are rolled", () => {
    const now = us("2024-07-15T18:30:00Z");
    const polls = hourlyPolls(now - 12 * DAY, now - 3 * DAY, (_, i) => i % 9 !== 4);
    const { today, rolledWeek, rolled, lastPoll } = bothWays({ timeZone: "Asia/Kolkata", hours: [], polls }, now);
    expect(rolled.end).toBeGreaterThan(rolled.start);
    expect(rolled.end).toBeLessThanOrEqual(lastPoll!);
    expect(rolledWeek).toEqual(today);
    expect(rolledWeek!.freshness.state).toBe("stale");
  });
});

describe("which days may be rolled", () => {
  const clock = new ZoneClocks().get("America/New_York");
  const day = (iso: string) => utcEpochDay(us(iso));
  const held = { firstDay: day("2024-01-01T00:00:00Z"), lastDay: day("2024-12-31T00:00:00Z") };

  it("whole local days inside the week, up to the one ending at or before the last poll", () => {
    // now: Wed 2024-07-17 12:00 EDT; the week starts Wed 07-10 12:00 EDT; the last poll is Mon 07-15 00:00 EDT.
    const now = us("2024-07-17T16:00:00Z");
    expect(rollableDays(clock, now, us("2024-07-15T04:00:00Z"), held)).toEqual({
      firstDay: day("2024-07-11T00:00:00Z"),
      lastDay: day("2024-07-14T00:00:00Z"),
    });
    // A poll a microsecond before midnight leaves that day out.
    expect(rollableDays(clock, now, us("2024-07-15T04:00:00Z") - 1, held)!.lastDay).toBe(day("2024-07-13T00:00:00Z"));
  });

  it("a day starting exactly at the week's start is inside it", () => {
    const now = us("2024-07-17T04:00:00Z"); // midnight EDT
    expect(rollableDays(clock, now, now, held)).toEqual({ firstDay: day("2024-07-10T00:00:00Z"), lastDay: day("2024-07-16T00:00:00Z") });
  });

  it("only days the roll-ups hold; none without a poll, roll-ups or a whole day", () => {
    const now = us("2024-07-17T16:00:00Z");
    const some = { firstDay: day("2024-07-12T00:00:00Z"), lastDay: day("2024-07-13T00:00:00Z") };
    expect(rollableDays(clock, now, now, some)).toEqual(some);
    expect(rollableDays(clock, now, null, held)).toBeNull();
    expect(rollableDays(clock, now, now, null)).toBeNull();
    expect(rollableDays(clock, now, us("2024-07-11T03:59:00Z"), held)).toBeNull();
  });

  it("a last poll after now is refused", () => {
    const now = us("2024-07-17T16:00:00Z");
    expect(() => rollableDays(clock, now, now + 1, held)).toThrow(/after now/);
  });
});

describe("inputs that cannot give today's figures are refused", () => {
  const clocks = new ZoneClocks();
  const now = us("2024-07-17T16:00:00Z");
  const store = (rolled: RolledDays, head: Poll[] = [{ at: now - DAY, active: true }]) => ({
    timeZone: null,
    hours: [],
    rolled,
    head,
    tail: [{ at: now - DAY, active: true }],
  });

  it("rolled days outside the week, or past the last poll", () => {
    expect(() => countRolledWeek(store({ start: now - 8 * DAY, end: now - 2 * DAY, up: 0, down: 0, covered: 0 }), now, clocks)).toThrow(
      /inside the week/,
    );
    expect(() => countRolledWeek(store({ start: now - 3 * DAY, end: now - H, up: 0, down: 0, covered: 0 }), now, clocks)).toThrow(
      /after the last poll/,
    );
  });

  it("a head without its polls", () => {
    expect(() => countRolledWeek(store({ start: now - 3 * DAY, end: now - 2 * DAY, up: 0, down: 0, covered: 0 }, []), now, clocks)).toThrow(
      /no poll given/,
    );
  });
});
