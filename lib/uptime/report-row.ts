import type { StoreDurations } from "./store-uptime";
import { US_PER_SECOND } from "./time-zone";

const MINUTE = 60 * US_PER_SECOND;
const HOUR = 60 * MINUTE;

/** The report's columns, in order, as the CSV header names them. */
export const REPORT_HEADER = [
  "store_id",
  "uptime_last_hour(in minutes)",
  "uptime_last_day(in hours)",
  "uptime_last_week(in hours)",
  "downtime_last_hour(in minutes)",
  "downtime_last_day(in hours)",
  "downtime_last_week(in hours)",
] as const;

/** The report's columns as the database and the JSON API name them, in the CSV's order. */
export const REPORT_COLUMNS = [
  "store_id",
  "uptime_last_hour",
  "uptime_last_day",
  "uptime_last_week",
  "downtime_last_hour",
  "downtime_last_day",
  "downtime_last_week",
] as const;

/** The six figures of a report row, as decimal text with two places. */
export interface ReportFigures {
  uptimeLastHour: string;
  uptimeLastDay: string;
  uptimeLastWeek: string;
  downtimeLastHour: string;
  downtimeLastDay: string;
  downtimeLastWeek: string;
}

export const FIGURE_KEYS = [
  "uptimeLastHour",
  "uptimeLastDay",
  "uptimeLastWeek",
  "downtimeLastHour",
  "downtimeLastDay",
  "downtimeLastWeek",
] as const satisfies readonly (keyof ReportFigures)[];

/**
 * `us` microseconds in `unit`, rounded to two decimals, halves away from zero, computed exactly: durations
 * are whole or half microseconds, so 2*us is an integer and the division below is of integers.
 */
export function roundTo2Decimals(us: number, unit: number): string {
  const hundredths = Math.floor((2 * us * 100 + unit) / (2 * unit));
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, "0")}`;
}

export function reportFigures(d: StoreDurations): ReportFigures {
  return {
    uptimeLastHour: roundTo2Decimals(d.hour.up, MINUTE),
    uptimeLastDay: roundTo2Decimals(d.day.up, HOUR),
    uptimeLastWeek: roundTo2Decimals(d.week.up, HOUR),
    downtimeLastHour: roundTo2Decimals(d.hour.down, MINUTE),
    downtimeLastDay: roundTo2Decimals(d.day.down, HOUR),
    downtimeLastWeek: roundTo2Decimals(d.week.down, HOUR),
  };
}
