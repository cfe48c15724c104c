import { businessIntervals, type HoursRow } from "./business-hours";
import { coveredWithin } from "./freshness";
import type { Poll } from "./status";
import { nearestPollSpans } from "./status";
import { DEFAULT_TIME_ZONE } from "./store-uptime";
import type { ZoneClocks } from "./time-zone";

/**
 * One local calendar day of a store as the fleet model keeps it (store_days): what any report whose window holds
 * the whole day counts in it, so that a report can add days instead of re-reading their polls.
 */
export interface DayRollup {
  /** The local date, as days since 1970-01-01. */
  epochDay: number;
  /** Microseconds up and down within business hours, by nearest poll (halves of a microsecond kept). */
  up: number;
  down: number;
  /** Microseconds of the day within 90 minutes of a poll (FRESH_WITHIN): the day's part of a report's coverage. */
  covered: number;
  /** Polls within the day. */
  polls: number;
}

export interface StoreDaysInput {
  timeZone: string | null;
  hours: readonly HoursRow[];
  /**
   * Sorted by time: every poll of the store inside the days, the last one before the first day and the first
   * one after the last day (when they exist). Unlike a report, nothing is cut at a "now": a day's figures are
   * those of every poll, which is what a report counts once its now has a poll after the day.
   */
  polls: readonly Poll[];
}

/**
 * The whole local days firstDay..lastDay (days since 1970-01-01 in the store's zone, midnight to midnight by the
 * zone's rules: 23 and 25 hours on change days) of a store, by the report's rules. Empty when it has no polls.
 */
export function dayRollups(store: StoreDaysInput, firstDay: number, lastDay: number, clocks: ZoneClocks): DayRollup[] {
  if (store.polls.length === 0 || lastDay < firstDay) return [];
  const clock = clocks.get(store.timeZone ?? DEFAULT_TIME_ZONE);
  const from = clock.instantOf(firstDay, 0);
  const to = clock.instantOf(lastDay + 1, 0);
  const days: DayRollup[] = [];
  const bounds: number[] = [];
  for (let day = firstDay; day <= lastDay; day++) {
    bounds.push(clock.instantOf(day, 0));
    days.push({ epochDay: day, up: 0, down: 0, covered: 0, polls: 0 });
  }
  bounds.push(to);
  // The day holding an instant in [from, to): the last bound at or before it.
  let d = 0;
  const dayIndexOf = (instant: number) => {
    while (d > 0 && bounds[d]! > instant) d--;
    while (bounds[d + 1]! <= instant) d++;
    return d;
  };
  for (const poll of store.polls) if (poll.at >= from && poll.at < to) days[dayIndexOf(poll.at)]!.polls++;
  for (let i = 0; i < days.length; i++) days[i]!.covered = coveredWithin(store.polls, bounds[i]!, bounds[i + 1]!);
  const spans = nearestPollSpans(store.polls);
  let s = 0;
  d = 0;
  for (const interval of businessIntervals(store.hours, clock, from, to)) {
    while (spans[s]!.end <= interval.start) s++;
    for (let k = s; k < spans.length && spans[k]!.start < interval.end; k++) {
      const span = spans[k]!;
      let start = Math.max(span.start, interval.start);
      const end = Math.min(span.end, interval.end);
      // Cut at local midnights: each piece goes to its own date.
      while (start < end) {
        const i = dayIndexOf(start);
        const pieceEnd = Math.min(end, bounds[i + 1]!);
        days[i]![span.active ? "up" : "down"] += pieceEnd - start;
        start = pieceEnd;
      }
    }
  }
  return days;
}
