import { clipIntervals, mergeIntervals, type Interval } from "./intervals";
import { utcEpochDay, weekdayOfEpochDay, type ZoneClock } from "./time-zone";

/** One row of a store's weekly hours: seconds past local midnight, day 0 = Monday .. 6 = Sunday. */
export interface HoursRow {
  dayOfWeek: number;
  start: number;
  end: number;
}

/**
 * The instants a store is open within [from, to), merged. For each local date D and each row for D's weekday:
 * open from D at start to D at end when end > start, else to the next day at end (end == start: a whole day).
 * Wall times become instants by the zone's rules (see ZoneClock). A store without rows is open 24x7.
 */
export function businessIntervals(hours: readonly HoursRow[], clock: ZoneClock, from: number, to: number): Interval[] {
  if (to <= from) return [];
  if (hours.length === 0) return [{ start: from, end: to }];
  const byWeekday: HoursRow[][] = [[], [], [], [], [], [], []];
  for (const row of hours) byWeekday[row.dayOfWeek]?.push(row);
  const open: Interval[] = [];
  // Local dates differ from UTC dates by at most 14 hours, and a window opened the day before `from`
  // may still be open in it: two days of margin on each side cover every zone.
  for (let day = utcEpochDay(from) - 2; day <= utcEpochDay(to) + 1; day++) {
    for (const row of byWeekday[weekdayOfEpochDay(day)]!) {
      const start = clock.instantOf(day, row.start);
      const end = row.end > row.start ? clock.instantOf(day, row.end) : clock.instantOf(day + 1, row.end);
      open.push({ start, end });
    }
  }
  return clipIntervals(mergeIntervals(open), from, to);
}
