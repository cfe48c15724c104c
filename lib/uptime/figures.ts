// The report's six figures, once: their order (the CSV's), the CSV header, the database and JSON column, the
// engine's key, the window and part of it they measure, their unit and the dashboard's label. Every other list
// of them (REPORT_HEADER, REPORT_COLUMNS, FIGURE_COLUMNS, FIGURE_KEYS, the API's schema, the table's columns)
// is derived from this one. Pure data: the browser imports it too.

export const FIGURES = [
  {
    key: "uptimeLastHour",
    column: "uptime_last_hour",
    header: "uptime_last_hour(in minutes)",
    window: "hour",
    part: "up",
    unit: "minutes",
    label: "Uptime last hour (min)",
  },
  {
    key: "uptimeLastDay",
    column: "uptime_last_day",
    header: "uptime_last_day(in hours)",
    window: "day",
    part: "up",
    unit: "hours",
    label: "Uptime last day (h)",
  },
  {
    key: "uptimeLastWeek",
    column: "uptime_last_week",
    header: "uptime_last_week(in hours)",
    window: "week",
    part: "up",
    unit: "hours",
    label: "Uptime last week (h)",
  },
  {
    key: "downtimeLastHour",
    column: "downtime_last_hour",
    header: "downtime_last_hour(in minutes)",
    window: "hour",
    part: "down",
    unit: "minutes",
    label: "Downtime last hour (min)",
  },
  {
    key: "downtimeLastDay",
    column: "downtime_last_day",
    header: "downtime_last_day(in hours)",
    window: "day",
    part: "down",
    unit: "hours",
    label: "Downtime last day (h)",
  },
  {
    key: "downtimeLastWeek",
    column: "downtime_last_week",
    header: "downtime_last_week(in hours)",
    window: "week",
    part: "down",
    unit: "hours",
    label: "Downtime last week (h)",
  },
] as const;

type Figure = (typeof FIGURES)[number];
export type FigureKey = Figure["key"];
export type FigureColumn = Figure["column"];

/** The figures' columns in report_rows and the JSON API, in the CSV's order. */
export const FIGURE_COLUMNS: readonly FigureColumn[] = FIGURES.map((f) => f.column);

/** The report's columns as the database and the JSON API name them, in the CSV's order. */
export const REPORT_COLUMNS = ["store_id", ...FIGURE_COLUMNS] as const;

/** The report's columns, in order, as the CSV header names them. */
export const REPORT_HEADER = ["store_id", ...FIGURES.map((f) => f.header)] as const;

/** The engine's keys of the figures (ReportFigures), in the CSV's order. */
export const FIGURE_KEYS: readonly FigureKey[] = FIGURES.map((f) => f.key);
