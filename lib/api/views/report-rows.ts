import { REPORT_COLUMNS } from "../../uptime/figures";

// The report table's sorts and subsets, shared by the rows endpoint's schema and the dashboard (without zod,
// which the browser does not need).

/** What a report's table can be sorted by: its columns, and what the dashboard adds to them. */
export const ROW_SORTS = [...REPORT_COLUMNS, "name", "health", "uptime_percent_week", "uptime_percent_day", "last_poll_at"] as const;
export type RowSort = (typeof ROW_SORTS)[number];

/** The subsets of a report's stores the summary cards stand for. */
export const ROW_FILTERS = ["all", "down_day", "bad", "warning", "stale", "no_data"] as const;
export type RowFilter = (typeof ROW_FILTERS)[number];
