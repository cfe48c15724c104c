// Random stores for the property tests of the report engine and its readers: zones whose clocks change in every
// way (half hours, at midnight, both hemispheres), weekly hours of every shape, polls about an hour apart with gaps.
import fc from "fast-check";
import type { HoursRow } from "../lib/uptime";

const MIN = 60e6;
const DAY = 24 * 60 * MIN;

/** null (America/Chicago applies), half-hour offsets and a half-hour change (Lord Howe), changes at midnight (Santiago, Havana). */
export const ZONES = [
  null,
  "America/New_York",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "America/Santiago",
  "America/Havana",
  "Europe/London",
];

/** Wall times near the clocks' changes (00:00, 00:30 ... 02:30, 23:00) as well as any second of the day. */
const wallTime = fc.oneof(fc.constantFrom(0, 1800, 3600, 5400, 7200, 9000, 23 * 3600), fc.integer({ min: 0, max: 86_399 }));
const hoursRow = fc
  .record({ dayOfWeek: fc.integer({ min: 0, max: 6 }), start: wallTime, end: wallTime, wholeDay: fc.boolean() })
  .map(({ dayOfWeek, start, end, wholeDay }) => ({ dayOfWeek, start, end: wholeDay ? start : end }));

/** A store's weekly hours: none (open 24x7), or rows of any shape: overnight, start == end (24 hours), several a day. */
export const weeklyHours = (maxRows: number) =>
  fc.oneof(fc.constant<HoursRow[]>([]), fc.array(hoursRow, { minLength: 1, maxLength: maxRows, size: "max" }));

/** Microseconds from one poll to the next: mostly about an hour, sometimes moments, sometimes up to `maxDays` days. */
export const pollGap = (maxDays: number) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: 20 * MIN, max: 100 * MIN }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 20 * MIN }) },
    { weight: 1, arbitrary: fc.integer({ min: 120 * MIN, max: maxDays * DAY }) },
  );
