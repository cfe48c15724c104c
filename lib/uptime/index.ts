// The report engine: pure functions of a store's polls, hours and zone. No framework, database or fs imports.
export { businessIntervals, type HoursRow } from "./business-hours";
export { mergeIntervals, type Interval } from "./intervals";
export { nearestPollSpans, type Poll, type StatusSpan } from "./status";
export { ZoneClock, ZoneClocks, US_PER_SECOND, utcEpochDay, weekdayOfEpochDay } from "./time-zone";
export {
  DEFAULT_TIME_ZONE,
  WINDOWS,
  countWeek,
  countedSpans,
  type StoreData,
  type StoreDurations,
  type CountedWeek,
  type WindowName,
} from "./store-uptime";
export { reportFigures, roundTo2Decimals, type ReportFigures } from "./report-row";
export { FIGURE_COLUMNS, FIGURE_KEYS, FIGURES, REPORT_COLUMNS, REPORT_HEADER, type FigureColumn } from "./figures";
export {
  countRolledWeek,
  noRolledDays,
  rawSegments,
  rollableDays,
  sumRolledDays,
  type DayRange,
  type RolledDays,
  type RolledStore,
  type WeekFigures,
} from "./rolled-week";
export { coveredWithin, FRESH_WITHIN, isoMicros, storeFreshness, type Freshness, type StoreFreshness } from "./freshness";
export { HEALTH_THRESHOLDS, healthOf, uptimePercent, type Health } from "./health";
export { dailyDurations, outages, type DayDurations } from "./outages";
export { dayRollups, type DayRollup } from "./days";
export { downIncidents, noDataIncident, type DownIncident, type NoDataIncident } from "./incidents";
