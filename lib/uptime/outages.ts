import { businessIntervals } from "./business-hours";
import type { Interval } from "./intervals";
import { nearestPollSpans, type StatusSpan } from "./status";
import { DEFAULT_TIME_ZONE, type StoreData } from "./store-uptime";
import type { ZoneClock, ZoneClocks } from "./time-zone";

/**
 * The outages among counted spans (business time split into up and down, in time order): each run of down
 * spans that touch is one outage. Closing time ends an outage, and the next opening starts a new one, as the
 * report counts no time outside business hours. Their lengths add up to the report's downtime.
 */
export function outages(counted: readonly StatusSpan[]): Interval[] {
  const out: Interval[] = [];
  for (const span of counted) {
    if (span.active) continue;
    const last = out[out.length - 1];
    if (last && last.end === span.start) last.end = span.end;
    else out.push({ start: span.start, end: span.end });
  }
  return out;
}

/** A local date's up and down time within business hours, in microseconds. */
export interface DayDurations {
  /** The local date, as days since 1970-01-01. */
  epochDay: number;
  up: number;
  down: number;
  /** Polls within the date: with none, its figures are carried over from polls of other dates. */
  polls: number;
}

/**
 * Up and down time within business hours for each local date from the one holding `from` to the one holding
 * `now` (the first and last partly, cut at `from` and `now`), by the report's rules: nearest poll, business
 * hours in the store's zone. Null when the store has no poll at or before `now`.
 */
export function dailyDurations(store: StoreData, from: number, now: number, clocks: ZoneClocks): DayDurations[] | null {
  const polls = store.polls.filter((p) => p.at <= now);
  if (polls.length === 0) return null;
  const clock: ZoneClock = clocks.get(store.timeZone ?? DEFAULT_TIME_ZONE);
  const first = clock.localEpochDay(from);
  const days: DayDurations[] = [];
  for (let day = first; day <= clock.localEpochDay(now - 1); day++) days.push({ epochDay: day, up: 0, down: 0, polls: 0 });
  for (const poll of polls) {
    const bucket = days[clock.localEpochDay(poll.at) - first];
    if (bucket) bucket.polls++;
  }
  const spans = nearestPollSpans(polls);
  let s = 0;
  for (const interval of businessIntervals(store.hours, clock, from, now)) {
    while (spans[s]!.end <= interval.start) s++;
    for (let k = s; k < spans.length && spans[k]!.start < interval.end; k++) {
      const span = spans[k]!;
      let start = Math.max(span.start, interval.start);
      const end = Math.min(span.end, interval.end);
      // Cut at local midnights: each piece goes to its own date.
      while (start < end) {
        const day = clock.localEpochDay(start);
        const pieceEnd = Math.min(end, clock.instantOf(day + 1, 0));
        const bucket = days[day - first];
        if (bucket) bucket[span.active ? "up" : "down"] += pieceEnd - start;
        start = pieceEnd;
      }
    }
  }
  return days;
}
