import { weekdayOfEpochDay, type HoursRow, type ZoneClock } from "../uptime";
import { MAX_MUTE_DAYS, type MuteInput } from "../api/views/alerts";

const HOUR_MS = 3_600_000;
export const MAX_MUTE_MS = MAX_MUTE_DAYS * 24 * HOUR_MS;

/**
 * The store's first opening on a later local day than `now`'s (tomorrow's, or the next day it opens), by its
 * weekly hours in its zone; a store without hours is open around the clock, so its next day begins at midnight.
 */
export function nextDayOpening(now: Date, hours: readonly HoursRow[], clock: ZoneClock): Date {
  const today = clock.localEpochDay(now.getTime() * 1000);
  for (let day = today + 1; hours.length > 0 && day <= today + 7; day++) {
    const starts = hours.filter((h) => h.dayOfWeek === weekdayOfEpochDay(day)).map((h) => h.start);
    if (starts.length > 0) return new Date(clock.instantOf(day, Math.min(...starts)) / 1000);
  }
  return new Date(clock.instantOf(today + 1, 0) / 1000);
}

/**
 * When a mute asked for at `now` ends, or why it cannot: an end that has passed, or more than MAX_MUTE_DAYS away.
 * `opening` is worked out only when asked for.
 */
export function muteEnd(input: MuteInput, now: Date, opening: () => Date): { until: Date } | { problem: string } {
  const until =
    input.for === "1h"
      ? new Date(now.getTime() + HOUR_MS)
      : input.for === "4h"
        ? new Date(now.getTime() + 4 * HOUR_MS)
        : input.for === "next_opening"
          ? opening()
          : new Date(input.until!);
  if (until.getTime() <= now.getTime()) return { problem: `${until.toISOString()} has passed: a mute must end later than now` };
  if (until.getTime() - now.getTime() > MAX_MUTE_MS)
    return { problem: `${until.toISOString()} is more than ${MAX_MUTE_DAYS} days away: a mute lasts at most ${MAX_MUTE_DAYS} days` };
  return { until };
}
