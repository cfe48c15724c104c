import { formatInTimeZone, fromZonedTime } from "date-fns-tz";
import { weekdayOfEpochDay } from "../uptime";

import type { EVERY } from "../api/views/alerts";

/**
 * A report rule's schedule: every day, or every week on `weekday` (0 = Monday .. 6 = Sunday, as the business-hours
 * feed numbers its days), at `at` (HH:MM) in `timeZone`.
 */
export interface Schedule {
  every: (typeof EVERY)[number];
  at: string;
  weekday: number | null;
  timeZone: string;
}

const DAY_MS = 86_400_000;

/** The scheduled instants whose local dates lie within `days` of `around`'s local date, in order. */
function instantsAround(s: Schedule, around: Date, days: number): Date[] {
  const localDay = Date.parse(`${formatInTimeZone(around, s.timeZone, "yyyy-MM-dd")}T00:00:00Z`) / DAY_MS;
  const instants: Date[] = [];
  for (let day = localDay - days; day <= localDay + days; day++) {
    if (s.every === "week" && weekdayOfEpochDay(day) !== s.weekday) continue;
    const date = new Date(day * DAY_MS);
    // A time the clocks skip (spring forward) is taken as the same wall time after the change.
    instants.push(fromZonedTime(`${date.toISOString().slice(0, 10)}T${s.at}:00`, s.timeZone));
  }
  return instants;
}

/** The first scheduled instant after `after`. */
export function nextDue(s: Schedule, after: Date): Date {
  return instantsAround(s, after, 8).find((t) => t > after)!;
}

/** The last scheduled instant at or before `now`. */
export function lastDue(s: Schedule, now: Date): Date {
  return instantsAround(s, now, 8).findLast((t) => t <= now)!;
}
