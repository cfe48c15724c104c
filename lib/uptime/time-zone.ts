import { Temporal } from "temporal-polyfill";

export const SECONDS_PER_DAY = 86_400;
export const US_PER_SECOND = 1_000_000;

/** Days since 1970-01-01 of the UTC calendar date of an instant given in microseconds. */
export function utcEpochDay(instantUs: number): number {
  return Math.floor(instantUs / (SECONDS_PER_DAY * US_PER_SECOND));
}

/** 0 = Monday .. 6 = Sunday, for a day counted from 1970-01-01 (a Thursday). */
export function weekdayOfEpochDay(epochDay: number): number {
  return (((epochDay + 3) % 7) + 7) % 7;
}

function plainDateOf(epochDay: number): Temporal.PlainDate {
  return Temporal.PlainDate.from("1970-01-01").add({ days: epochDay });
}

interface DayInfo {
  /** UTC offset in seconds that holds for the whole local day, or null when the offset changes that day. */
  steadyOffset: number | null;
}

/**
 * Turns local wall times of one IANA zone into instants, with Temporal's "compatible" rule: a wall time
 * skipped by a spring-forward change takes the offset in force before the change (02:30 becomes 03:30
 * daylight time), and a wall time repeated by a fall-back change is its earlier instant. Days without a
 * change (all but a few a year) are answered by arithmetic from one cached offset per day.
 */
export class ZoneClock {
  private readonly days = new Map<number, DayInfo>();

  constructor(readonly zone: string) {}

  private dayInfo(epochDay: number): DayInfo {
    let info = this.days.get(epochDay);
    if (!info) {
      const start = plainDateOf(epochDay).toZonedDateTime({ timeZone: this.zone });
      const next = plainDateOf(epochDay + 1).toZonedDateTime({ timeZone: this.zone });
      const steady =
        start.hoursInDay === 24 && start.offsetNanoseconds === next.offsetNanoseconds && start.hour === 0 && start.minute === 0;
      info = { steadyOffset: steady ? start.offsetNanoseconds / 1e9 : null };
      this.days.set(epochDay, info);
    }
    return info;
  }

  /**
   * The local calendar date (days since 1970-01-01) of an instant in microseconds: the day whose midnight (by
   * instantOf) is the last at or before it. A local date is within a day of the UTC one, and instantOf answers
   * most days from its cache, so this costs a few additions.
   */
  localEpochDay(instantUs: number): number {
    let day = utcEpochDay(instantUs);
    while (this.instantOf(day, 0) > instantUs) day--;
    while (this.instantOf(day + 1, 0) <= instantUs) day++;
    return day;
  }

  /** The instant (microseconds since the epoch) of `secondsOfDay` past local midnight on local date `epochDay`. */
  instantOf(epochDay: number, secondsOfDay: number): number {
    const { steadyOffset } = this.dayInfo(epochDay);
    if (steadyOffset !== null) return (epochDay * SECONDS_PER_DAY + secondsOfDay - steadyOffset) * US_PER_SECOND;
    const wall = plainDateOf(epochDay).toPlainDateTime({
      hour: Math.floor(secondsOfDay / 3600),
      minute: Math.floor(secondsOfDay / 60) % 60,
      second: secondsOfDay % 60,
    });
    return wall.toZonedDateTime(this.zone, { disambiguation: "compatible" }).epochMilliseconds * 1000;
  }
}

/** One ZoneClock per zone, shared by every store of a report. */
export class ZoneClocks {
  private readonly clocks = new Map<string, ZoneClock>();

  get(zone: string): ZoneClock {
    let clock = this.clocks.get(zone);
    if (!clock) this.clocks.set(zone, (clock = new ZoneClock(zone)));
    return clock;
  }
}
