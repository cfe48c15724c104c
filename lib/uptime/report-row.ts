import { FIGURES, type FigureKey } from "./figures";
import type { StoreDurations } from "./store-uptime";
import { US_PER_SECOND } from "./time-zone";

const MINUTE = 60 * US_PER_SECOND;
const HOUR = 60 * MINUTE;

/** The six figures of a report row, as decimal text with two places. */
export type ReportFigures = Record<FigureKey, string>;

/**
 * `us` microseconds in `unit`, rounded to two decimals, halves away from zero, computed exactly: durations
 * are whole or half microseconds, so 2*us is an integer and the division below is of integers.
 */
export function roundTo2Decimals(us: number, unit: number): string {
  const hundredths = Math.floor((2 * us * 100 + unit) / (2 * unit));
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, "0")}`;
}

export function reportFigures(d: StoreDurations): ReportFigures {
  return Object.fromEntries(
    FIGURES.map((f) => [f.key, roundTo2Decimals(d[f.window][f.part], f.unit === "minutes" ? MINUTE : HOUR)]),
  ) as ReportFigures;
}
