import { z } from "zod";
import { REPORT_COLUMNS } from "../uptime/report-row";
import { ROW_FILTERS, ROW_SORTS } from "./report-rows";

// Request and response shapes shared by the route handlers and the dashboard.

export const triggerReportBody = z.object({ as_of: z.string().optional() });

export const reportStatusResponse = z.discriminatedUnion("status", [
  z.object({ status: z.literal("Running"), progress: z.number().min(0).max(1) }),
  z.object({ status: z.literal("Complete"), download_url: z.string() }),
  z.object({ status: z.literal("Failed"), error: z.string() }),
]);
export type ReportStatusResponse = z.infer<typeof reportStatusResponse>;

/** The report columns a table can be sorted by. */
export type ReportColumn = (typeof REPORT_COLUMNS)[number];

export { ROW_FILTERS, ROW_SORTS, type RowFilter, type RowSort } from "./report-rows";

export const reportRowsQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  /** health: the worst first (no data, then the lowest uptime over the week). */
  sort: z.enum(ROW_SORTS).default("health"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  /** Part of a store's id or name. */
  q: z.string().max(200).default(""),
  only: z.enum(ROW_FILTERS).default("all"),
});
export type ReportRowsQuery = z.infer<typeof reportRowsQuery>;

export interface ReportSummary {
  id: string;
  status: "Queued" | "Running" | "Complete" | "Failed";
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  asOf: string;
  asOfSource: string;
  storesTotal: number | null;
  storesDone: number;
  progress: number;
  error: string | null;
  /** A complete report's fleet uptime within business hours over the week (stores with data in the week). */
  uptimePercentWeek?: number | null;
}

export interface ReportOverview extends ReportSummary {
  /** Figures over the complete report's rows; null until it is complete. */
  totals: {
    stores: number;
    businessHoursLastWeek: number;
    uptimePercent: { hour: number | null; day: number | null; week: number | null };
    storesDownLastDay: number;
    /** Stores the fleet figures count: those with a poll in the week (see lib/uptime/freshness.ts). */
    storesCounted: number;
    /** Stores with no poll in the week, left out of the fleet figures; and those whose last poll is stale. */
    storesNoData: number;
    storesStale: number;
    /** Stores below the warning threshold over the week, and between it and fine. */
    storesBad: number;
    storesWarning: number;
  } | null;
  /** The newest complete report before this one, its figures over the same stores (for the change per card). */
  previous: { id: string; asOf: string; totals: NonNullable<ReportOverview["totals"]> } | null;
}

/** A report row's six figures, by column. */
export type ReportFigureValues = Record<Exclude<ReportColumn, "store_id">, number>;

export interface ReportRowView extends ReportFigureValues {
  store_id: string;
  /** From the store directory; null without a directory row. */
  name: string | null;
  last_poll_at: string | null;
  freshness: "fresh" | "stale" | "no_data" | null;
  uptime_percent_week: number | null;
  uptime_percent_day: number | null;
}

export interface ReportRowsPage {
  total: number;
  page: number;
  pageSize: number;
  rows: ReportRowView[];
}

export interface DataStatus {
  hasPolls: boolean;
  newestPoll: string | null;
  /** The newest complete report made from exactly the data there is now (nothing loaded since), if any. */
  unchangedSince: string | null;
}

export const storeTimelineQuery = z.object({ report: z.string().optional() });

export const storeHistoryQuery = z.object({ report: z.string().optional(), days: z.coerce.number().int().min(1).max(90).default(30) });

export interface StoreHistoryView {
  storeId: string;
  timeZone: string;
  asOf: string;
  /**
   * Each local date, oldest first: business hours up and down (to 0.01 h), its polls, and uptime %: null when
   * the store was closed, or had no poll that date (its figures would only be carried over from other dates).
   */
  days: { date: string; upHours: number; downHours: number; polls: number; uptimePercent: number | null }[];
}

export interface TimelineDay {
  /** Local date, YYYY-MM-DD, and its weekday name. */
  date: string;
  weekday: string;
  /** The day's real span in instants (ISO), 23, 24 or 25 hours. */
  start: string;
  end: string;
  /** Fractions of the day [from, to): inside the report's week, business hours, what was counted. */
  window: [number, number] | null;
  open: [number, number][];
  counted: { from: number; to: number; active: boolean }[];
  /** Business time up and down on this date (inside the week), in seconds. */
  upSeconds: number;
  downSeconds: number;
  polls: { at: number; active: boolean; time: string }[];
}

export interface StoreTimelineView {
  storeId: string;
  /** From the store directory; null without a directory row. */
  name: string | null;
  timeZone: string;
  timeZoneDefaulted: boolean;
  hours: { dayOfWeek: number; start: string; end: string }[];
  asOf: string;
  reportId: string | null;
  /** The six figures: the chosen report's row when there is one, else computed now with the same engine. */
  figures: ReportFigureValues;
  /** Where the figures come from: the report's stored row, or computed now for the as-of. */
  figuresSource: "report" | "computed";
  days: TimelineDay[];
  /** The week's outages within business hours, oldest first: instants (UTC), length, and the store's local times. */
  outages: { start: string; end: string; seconds: number; localStart: string; localEnd: string }[];
}
