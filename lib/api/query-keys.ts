import type { DirectoryQuery } from "./views/owners";
import type { ReportRowsQuery } from "./views/reports";

/** Every query key of the dashboard, from one factory: no inline string keys. */
export const queryKeys = {
  reports: () => ["reports"] as const,
  report: (id: string) => ["reports", id] as const,
  reportRows: (id: string, q: ReportRowsQuery) => ["reports", id, "rows", q] as const,
  fleetNow: () => ["fleet", "now"] as const,
  fleetPeriods: () => ["fleet", "periods"] as const,
  storeTimeline: (storeId: string, reportId?: string) => ["stores", storeId, "timeline", reportId ?? null] as const,
  alerts: (storeId?: string) => ["alerts", storeId ?? null] as const,
  /** Every store's incidents and one store's: what an acknowledgement or a mute changes. */
  allAlerts: () => ["alerts"] as const,
  storeHistory: (storeId: string, days: number, reportId?: string) => ["stores", storeId, "history", days, reportId ?? null] as const,
  rules: () => ["rules"] as const,
  imports: () => ["admin", "imports"] as const,
  owners: () => ["admin", "owners"] as const,
  storeDirectory: (q: DirectoryQuery) => ["admin", "stores", q] as const,
  /** Every admin query: what a change of owners' stores refreshes. */
  admin: () => ["admin"] as const,
  people: () => ["admin", "people"] as const,
  keys: () => ["account", "keys"] as const,
  team: (slug: string) => ["team", slug] as const,
};

/** Reports still being made are polled; finished ones are not. */
export const isFinished = (status: string) => status === "Complete" || status === "Failed";
export const POLL_MS = 500;
