import { businessIntervals, type HoursRow } from "./business-hours";
import type { DayRollup } from "./days";
import { coveredWithin, freshnessState, type StoreFreshness } from "./freshness";
import type { Interval } from "./intervals";
import type { Poll } from "./status";
import { addToWindows, DEFAULT_TIME_ZONE, pollsUpTo, splitByNearestPoll, WINDOWS, type StoreDurations } from "./store-uptime";
import { utcEpochDay, type ZoneClock, type ZoneClocks } from "./time-zone";

// A report's week from a store's daily roll-ups: the whole local days of the week that no poll after `now` can
// reach are added up from their roll-ups, and only the rest of the week is counted from raw polls, giving
// exactly what countWeek and storeFreshness give from every poll of the week.

/** Local calendar days firstDay..lastDay (days since 1970-01-01 in the store's zone), both included. */
export interface DayRange {
  firstDay: number;
  lastDay: number;
}

/** Whole local days [from, to) of a week added up from their roll-ups; from == to when there are none. */
export interface RolledDays extends Interval {
  /** Microseconds up and down within business hours, and within 90 minutes of a poll, in [start, end). */
  up: number;
  down: number;
  covered: number;
}

/** A store's week as the roll-ups leave it to be read: the rolled days' sums, and the raw polls of the rest. */
export interface RolledStore {
  /** IANA zone, or null when the store has no time-zone row (America/Chicago applies). */
  timeZone: string | null;
  hours: readonly HoursRow[];
  rolled: RolledDays;
  /** Sorted: the head's polls (see rawSegments) with the last poll before it and the first at or after its end. */
  head: readonly Poll[];
  /** Sorted: the tail's polls up to now, with the last poll before it. Polls after now are ignored. */
  tail: readonly Poll[];
}

/** What a report row holds of a store: its durations and the freshness of its figures. */
export interface WeekFigures {
  durations: StoreDurations;
  freshness: StoreFreshness;
}

/**
 * The whole local days of the week before `now` whose roll-ups a report may add: inside [now - week, now),
 * held by the roll-ups (`held`), and ending at or before `lastPoll`, the store's last poll at or before now. A
 * roll-up counts every poll of the store, later ones too; up to the last poll at or before now, no poll after
 * now is the nearest one to any instant or covers one that poll does not, so those days count as the report
 * counts them. Null when no day qualifies (no poll, nothing held, or no whole day in between).
 */
export function rollableDays(clock: ZoneClock, now: number, lastPoll: number | null, held: DayRange | null): DayRange | null {
  if (lastPoll === null || held === null) return null;
  if (lastPoll > now) throw new Error(`the last poll at or before now (${lastPoll}) is after now (${now})`);
  const weekStart = now - WINDOWS.week;
  // A local date is at most a day from the UTC date: start below the first day and above the last one, and step.
  let first = utcEpochDay(weekStart) - 1;
  while (clock.instantOf(first, 0) < weekStart) first++;
  let last = utcEpochDay(lastPoll) + 1;
  while (clock.instantOf(last + 1, 0) > lastPoll) last--;
  first = Math.max(first, held.firstDay);
  last = Math.min(last, held.lastDay);
  return first <= last ? { firstDay: first, lastDay: last } : null;
}

/** No rolled days: the whole week is counted from raw polls (the tail then spans it). */
export function noRolledDays(now: number): RolledDays {
  const weekStart = now - WINDOWS.week;
  return { start: weekStart, end: weekStart, up: 0, down: 0, covered: 0 };
}

/**
 * The sums of `days` from a store's roll-ups (any days, in any order; each date once), or no rolled days when
 * `days` is null or a day of it is missing from `rollups` (then the week is counted from raw polls, still right).
 */
export function sumRolledDays(
  rollups: readonly Omit<DayRollup, "polls">[],
  days: DayRange | null,
  clock: ZoneClock,
  now: number,
): RolledDays {
  if (days === null) return noRolledDays(now);
  let up = 0;
  let down = 0;
  let covered = 0;
  let count = 0;
  for (const day of rollups)
    if (day.epochDay >= days.firstDay && day.epochDay <= days.lastDay) {
      up += day.up;
      down += day.down;
      covered += day.covered;
      count++;
    }
  if (count !== days.lastDay - days.firstDay + 1) return noRolledDays(now);
  return { start: clock.instantOf(days.firstDay, 0), end: clock.instantOf(days.lastDay + 1, 0), up, down, covered };
}

/**
 * The parts of the week read from raw polls around the rolled days: the head [now - week, rolled start) and the
 * tail [min(rolled end, now - day), now). The tail holds the whole last day, whose hour and day windows it counts
 * (the day window may overlap rolled days); the week takes the tail from the rolled days' end on.
 */
export function rawSegments(now: number, rolled: Interval): { head: Interval; tail: Interval } {
  return {
    head: { start: now - WINDOWS.week, end: rolled.start },
    tail: { start: Math.min(rolled.end, now - WINDOWS.day), end: now },
  };
}

/**
 * What countWeek(store, now) and storeFreshness(polls, now) give from every poll of the week (durations,
 * last poll, coverage and state, to the microsecond), from the rolled days' sums and the head's and tail's
 * polls. Each segment's spans come from its own polls: with the nearest poll on either side of it, they are the
 * whole history's there. Null when the store has no poll at or before now.
 */
export function countRolledWeek(store: RolledStore, now: number, clocks: ZoneClocks): WeekFigures | null {
  const { rolled } = store;
  const { head, tail } = rawSegments(now, rolled);
  if (rolled.start < head.start || rolled.end < rolled.start || rolled.end > now)
    throw new Error(`rolled days [${rolled.start}, ${rolled.end}) do not lie inside the week [${head.start}, ${now})`);
  const tailPolls = pollsUpTo(store.tail, now);
  const lastPoll = tailPolls.at(-1)?.at ?? null;
  if (lastPoll === null) return null;
  if (rolled.end > rolled.start && rolled.end > lastPoll)
    throw new Error(`rolled days end at ${rolled.end}, after the last poll at or before now (${lastPoll})`);
  const clock = clocks.get(store.timeZone ?? DEFAULT_TIME_ZONE);
  const durations: StoreDurations = { hour: { up: 0, down: 0 }, day: { up: 0, down: 0 }, week: { up: rolled.up, down: rolled.down } };
  const tailSpans = splitByNearestPoll(businessIntervals(store.hours, clock, tail.start, now), tailPolls);
  addToWindows(durations, tailSpans, { hour: now - WINDOWS.hour, day: now - WINDOWS.day, week: rolled.end });
  if (head.end > head.start) {
    if (store.head.length === 0) throw new Error(`no poll given around the week's head [${head.start}, ${head.end})`);
    for (const { start, end, active } of splitByNearestPoll(businessIntervals(store.hours, clock, head.start, head.end), store.head))
      durations.week[active ? "up" : "down"] += end - start;
  }
  const covered = coveredWithin(store.head, head.start, head.end) + rolled.covered + coveredWithin(tailPolls, rolled.end, now);
  return { durations, freshness: { lastPoll, coverage: covered / WINDOWS.week, state: freshnessState(lastPoll, now) } };
}
