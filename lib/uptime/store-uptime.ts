import { businessIntervals, type HoursRow } from "./business-hours";
import type { Interval } from "./intervals";
import { nearestPollSpans, type Poll, type StatusSpan } from "./status";
import { US_PER_SECOND, type ZoneClocks } from "./time-zone";

export const DEFAULT_TIME_ZONE = "America/Chicago";

const HOUR = 3600 * US_PER_SECOND;
export const WINDOWS = { hour: HOUR, day: 24 * HOUR, week: 7 * 24 * HOUR } as const;
export type WindowName = keyof typeof WINDOWS;

export interface StoreData {
  storeId: string;
  /** IANA zone, or null when the store has no time-zone row (America/Chicago applies). */
  timeZone: string | null;
  hours: readonly HoursRow[];
  /** Sorted by time; polls after `now` are ignored. */
  polls: readonly Poll[];
}

/** Microseconds up and down within business hours, for each window ending at now. */
export type StoreDurations = Record<WindowName, { up: number; down: number }>;

/** A store's last week as a report counts it: business hours, the up and down spans in them, and the durations. */
export interface CountedWeek {
  /** Business hours inside the last week, merged. */
  open: Interval[];
  /** What the report counted: business time split into up and down spans, inside the last week. */
  counted: StatusSpan[];
  durations: StoreDurations;
}

/** The polls at or before `now`. */
export function pollsUpTo(polls: readonly Poll[], now: number): readonly Poll[] {
  let n = polls.length;
  while (n > 0 && polls[n - 1]!.at > now) n--;
  return n === polls.length ? polls : polls.slice(0, n);
}

/**
 * The store's up and down time within business hours over the last hour, day and week before `now`
 * (half-open windows [now - length, now)), with the spans behind them. Null when the store has no poll
 * at or before `now`: such a store has no row in a report.
 */
export function countWeek(store: StoreData, now: number, clocks: ZoneClocks): CountedWeek | null {
  const spans = countedSpans(store, now - WINDOWS.week, now, clocks);
  if (!spans) return null;
  const durations: StoreDurations = { hour: { up: 0, down: 0 }, day: { up: 0, down: 0 }, week: { up: 0, down: 0 } };
  addToWindows(durations, spans.counted, { hour: now - WINDOWS.hour, day: now - WINDOWS.day, week: now - WINDOWS.week });
  return { ...spans, durations };
}

/** Adds to each window's up or down time the part of each span at or after that window's start. */
export function addToWindows(durations: StoreDurations, spans: readonly StatusSpan[], starts: Record<WindowName, number>): void {
  for (const { start, end, active } of spans)
    for (const name of ["hour", "day", "week"] as const) {
      const length = end - Math.max(start, starts[name]);
      if (length > 0) durations[name][active ? "up" : "down"] += length;
    }
}

/**
 * Business time within [from, now) split into up and down by the nearest poll (polls after `now` ignored), with
 * the business intervals themselves. Null when the store has no poll at or before `now`.
 */
export function countedSpans(
  store: StoreData,
  from: number,
  now: number,
  clocks: ZoneClocks,
): Pick<CountedWeek, "open" | "counted"> | null {
  const polls = pollsUpTo(store.polls, now);
  if (polls.length === 0) return null;
  const open = businessIntervals(store.hours, clocks.get(store.timeZone ?? DEFAULT_TIME_ZONE), from, now);
  return { open, counted: splitByNearestPoll(open, polls) };
}

/**
 * Sorted, disjoint intervals split into up and down spans by the nearest of `polls` (sorted by time, at least
 * one). Only the polls' neighbours matter: inside any stretch of time, a subsequence gives the same spans as
 * the whole history when it holds every poll of the stretch and the nearest one on either side.
 */
export function splitByNearestPoll(open: readonly Interval[], polls: readonly Poll[]): StatusSpan[] {
  const spans = nearestPollSpans(polls);
  const counted: StatusSpan[] = [];
  let s = 0;
  for (const interval of open) {
    while (spans[s]!.end <= interval.start) s++;
    for (let k = s; k < spans.length && spans[k]!.start < interval.end; k++) {
      const span = spans[k]!;
      const start = Math.max(span.start, interval.start);
      const end = Math.min(span.end, interval.end);
      if (end > start) counted.push({ start, end, active: span.active });
    }
  }
  return counted;
}
