import type { IncidentView } from "../alerts/list";
// The dashboard's one fetch module: every call goes through `request`, which turns any failure into an ApiError.
import type { DataStatus, ReportOverview, ReportRowsPage, ReportRowsQuery, ReportSummary, StoreHistoryView, StoreTimelineView } from "./schemas";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { Accept: "application/json", ...init?.headers } });
  } catch {
    throw new ApiError(0, "unreachable", "The server cannot be reached. Check that it is running, then try again.");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = body?.error ?? {};
    throw new ApiError(response.status, error.code ?? "http_error", error.message ?? `The server answered ${response.status}.`);
  }
  return body as T;
}

export const api = {
  get: <T>(path: string) => request<T>(path),
  /** A JSON body sent with `method`; an answer without a body (204) gives null. */
  send: <T = null>(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown) =>
    request<T>(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }) }),
  reports: () => request<{ reports: ReportSummary[]; data: DataStatus }>("/api/reports"),
  report: (id: string) => request<ReportOverview>(`/api/reports/${encodeURIComponent(id)}`),
  reportRows: (id: string, q: ReportRowsQuery) =>
    request<ReportRowsPage>(
      `/api/reports/${encodeURIComponent(id)}/rows?${new URLSearchParams({ page: String(q.page), pageSize: String(q.pageSize), sort: q.sort, dir: q.dir, q: q.q, only: q.only })}`,
    ),
  storeTimeline: (storeId: string, reportId?: string) =>
    request<StoreTimelineView>(`/api/stores/${encodeURIComponent(storeId)}/timeline${reportId ? `?report=${encodeURIComponent(reportId)}` : ""}`),
  alerts: (storeId?: string) => request<{ incidents: IncidentView[] }>(`/api/alerts${storeId ? `?${new URLSearchParams({ store: storeId })}` : ""}`),
  storeHistory: (storeId: string, days: number, reportId?: string) =>
    request<StoreHistoryView>(`/api/stores/${encodeURIComponent(storeId)}/history?${new URLSearchParams({ days: String(days), ...(reportId ? { report: reportId } : {}) })}`),
  triggerReport: () => request<{ report_id: string }>("/trigger_report", { method: "POST" }),
};
