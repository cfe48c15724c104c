import { z } from "zod";
import { FIGURES, type FigureColumn, type REPORT_COLUMNS } from "../../uptime/figures";
import { FRESHNESS } from "../../uptime/freshness";
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

/** The spreadsheet takes the table's subset, search and order, and gives every row (no page). */
export const reportSpreadsheetQuery = reportRowsQuery.omit({ page: true, pageSize: true });

/** A figure's header in the spreadsheet, in words with its unit: "Uptime last week (hours)". */
export const spreadsheetFigureHeader = (f: (typeof FIGURES)[number]) =>
  `${f.part === "up" ? "Uptime" : "Downtime"} last ${f.window} (${f.unit})`;

/** The spreadsheet's header (lib/reports/spreadsheet.ts gives each column its value); no header holds a comma or a quote. */
export const SPREADSHEET_HEADER = [
  "Store name",
  "Address",
  "Owner",
  "Store id",
  ...FIGURES.map(spreadsheetFigureHeader),
  "Uptime last week (%)",
  "Uptime last day (%)",
  "Last poll (UTC)",
  "Data",
];

const instant = z.string().meta({ description: "An instant, ISO 8601 in UTC", example: "2024-10-14T23:55:18.727Z" });
const fleetFigures = z.object({
  stores: z.number().int(),
  businessHoursLastWeek: z.number(),
  uptimePercent: z.object({ hour: z.number().nullable(), day: z.number().nullable(), week: z.number().nullable() }),
  storesDownLastDay: z.number().int(),
  storesCounted: z
    .number()
    .int()
    .meta({ description: "Stores the fleet figures count: those with a poll in the week (see lib/uptime/freshness.ts)" }),
  storesNoData: z.number().int().meta({ description: "Stores with no poll in the week, left out of the fleet figures" }),
  storesStale: z.number().int().meta({ description: "Stores whose last poll is stale" }),
  storesBad: z.number().int().meta({ description: "Stores below the warning threshold over the week" }),
  storesWarning: z.number().int().meta({ description: "Stores between the warning threshold and fine" }),
});

/** A report's statuses, in the order it goes through them (Failed instead of Complete). */
export const REPORT_STATUSES = ["Queued", "Running", "Complete", "Failed"] as const;

export const reportSummary = z
  .object({
    id: z.string(),
    status: z.enum(REPORT_STATUSES),
    createdAt: instant,
    startedAt: instant.nullable(),
    finishedAt: instant.nullable(),
    asOf: instant,
    asOfSource: z.string(),
    storesTotal: z.number().int().nullable(),
    storesDone: z.number().int(),
    progress: z.number().min(0).max(1),
    error: z.string().nullable(),
    uptimePercentWeek: z
      .number()
      .nullable()
      .optional()
      .meta({ description: "A complete report's fleet uptime within business hours over the week (stores with data in the week)" }),
  })
  .meta({ id: "ReportSummary" });
export type ReportSummary = z.infer<typeof reportSummary>;

export const reportOverview = reportSummary
  .extend({
    totals: fleetFigures.nullable().meta({ description: "Figures over the complete report's rows; null until it is complete" }),
    previous: z
      .object({ id: z.string(), asOf: instant, totals: fleetFigures })
      .nullable()
      .meta({ description: "The newest complete report before this one, its figures over the same stores (for the change per card)" }),
  })
  .meta({ id: "ReportOverview" });
export type ReportOverview = z.infer<typeof reportOverview>;

/** A report row's six figures, by column. */
export const reportFigureValues = z.object(
  Object.fromEntries(
    FIGURES.map((f) => [
      f.column,
      z.number().meta({
        description: `${f.part === "up" ? "Uptime" : "Downtime"} within business hours over the last ${f.window}, in ${f.unit}, to two places`,
      }),
    ]),
  ) as Record<FigureColumn, z.ZodNumber>,
);

export const reportRowView = reportFigureValues
  .extend({
    store_id: z.string(),
    name: z.string().nullable().meta({ description: "From the store directory; null without a directory row" }),
    last_poll_at: instant.nullable(),
    freshness: z.enum(FRESHNESS).nullable(),
    uptime_percent_week: z.number().nullable(),
    uptime_percent_day: z.number().nullable(),
  })
  .meta({ id: "ReportRow" });

export const reportRowsPage = z
  .object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), rows: z.array(reportRowView) })
  .meta({ id: "ReportRowsPage" });
export type ReportRowsPage = z.infer<typeof reportRowsPage>;

export const dataStatus = z
  .object({
    hasPolls: z.boolean(),
    newestPoll: instant.nullable(),
    unchangedSince: instant
      .nullable()
      .meta({ description: "The newest complete report made from exactly the data there is now (nothing loaded since), if any" }),
  })
  .meta({ id: "DataStatus" });
export type DataStatus = z.infer<typeof dataStatus>;

/** What POST /api/polls answers. */
export const ingestResult = z
  .object({
    read: z.number().int(),
    added: z.number().int(),
    duplicates: z.number().int().meta({ description: "Polls already stored for the same store and instant" }),
  })
  .meta({ id: "IngestResult" });
export type IngestResult = z.infer<typeof ingestResult>;

export const storeTimelineQuery = z.object({ report: z.string().optional() });

export const storeHistoryQuery = z.object({ report: z.string().optional(), days: z.coerce.number().int().min(1).max(90).default(30) });

export const storeHistoryView = z
  .object({
    storeId: z.string(),
    timeZone: z.string(),
    asOf: instant,
    days: z
      .array(
        z.object({
          date: z.string().meta({ example: "2024-10-14" }),
          upHours: z.number(),
          downHours: z.number(),
          polls: z.number().int(),
          uptimePercent: z.number().nullable(),
        }),
      )
      .meta({
        description:
          "Each local date, oldest first: business hours up and down (to 0.01 h), its polls, and uptime %: null when the store was closed, " +
          "or had no poll that date (its figures would only be carried over from other dates)",
      }),
  })
  .meta({ id: "StoreHistory" });
export type StoreHistoryView = z.infer<typeof storeHistoryView>;

const span = z.tuple([z.number(), z.number()]);
export const timelineDay = z.object({
  date: z.string().meta({ description: "Local date, YYYY-MM-DD" }),
  weekday: z.string(),
  start: instant.meta({ description: "The day's real span in instants: 23, 24 or 25 hours" }),
  end: instant,
  window: span.nullable().meta({ description: "Fractions of the day [from, to) inside the report's week" }),
  open: z.array(span).meta({ description: "Business hours, as fractions of the day" }),
  counted: z
    .array(z.object({ from: z.number(), to: z.number(), active: z.boolean() }))
    .meta({ description: "What was counted up and down" }),
  upSeconds: z.number().meta({ description: "Business time up on this date (inside the week), in seconds" }),
  downSeconds: z.number(),
  polls: z.array(z.object({ at: z.number(), active: z.boolean(), time: z.string() })),
});
export type TimelineDay = z.infer<typeof timelineDay>;

export const storeTimelineView = z
  .object({
    storeId: z.string(),
    name: z.string().nullable().meta({ description: "From the store directory; null without a directory row" }),
    timeZone: z.string(),
    timeZoneDefaulted: z.boolean(),
    hours: z.array(z.object({ dayOfWeek: z.number().int(), start: z.string(), end: z.string() })),
    asOf: instant,
    reportId: z.string().nullable(),
    figures: reportFigureValues.meta({
      description: "The six figures: the chosen report's row when there is one, else computed now with the same engine",
    }),
    figuresSource: z.enum(["report", "computed"]),
    days: z.array(timelineDay),
    outages: z
      .array(z.object({ start: instant, end: instant, seconds: z.number(), localStart: z.string(), localEnd: z.string() }))
      .meta({ description: "The week's outages within business hours, oldest first: instants (UTC), length, and the store's local times" }),
  })
  .meta({ id: "StoreTimeline" });
export type StoreTimelineView = z.infer<typeof storeTimelineView>;
