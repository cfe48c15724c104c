import { z } from "zod";
import { REPORT_COLUMNS } from "../uptime/report-row";

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

export const reportRowsQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  sort: z.enum(REPORT_COLUMNS).default("store_id"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  q: z.string().max(200).default(""),
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
}

export interface ReportOverview extends ReportSummary {
  /** Figures over the complete report's rows; null until it is complete. */
  totals: {
    stores: number;
    businessHoursLastWeek: number;
    uptimePercent: { hour: number | null; day: number | null; week: number | null };
    storesDownLastDay: number;
  } | null;
}

export interface ReportRowView {
  store_id: string;
  uptime_last_hour: number;
  uptime_last_day: number;
  uptime_last_week: number;
  downtime_last_hour: number;
  downtime_last_day: number;
  downtime_last_week: number;
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
}

export const storeTimelineQuery = z.object({ report: z.string().optional() });

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
  polls: { at: number; active: boolean; time: string }[];
}

export interface StoreTimelineView {
  storeId: string;
  timeZone: string;
  timeZoneDefaulted: boolean;
  hours: { dayOfWeek: number; start: string; end: string }[];
  asOf: string;
  reportId: string | null;
  /** The six figures: the chosen report's row when there is one, else computed now with the same engine. */
  figures: Omit<ReportRowView, "store_id">;
  /** Where the figures come from: the report's stored row, or computed now for the as-of. */
  figuresSource: "report" | "computed";
  days: TimelineDay[];
}
