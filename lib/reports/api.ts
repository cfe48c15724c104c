import type { Scope } from "../auth/scope";
import { AppError } from "../errors";
import { readJson } from "../api/body";
import { operations } from "../api/contract";
import { csvResponse, json, route, wantsCsv } from "../api/respond";
import { triggerReportBody, type ReportStatusResponse } from "../api/views/reports";
import { checkReportId, reportCsv, reportProgress, reportStatus, type ReportStatusFields } from "./read";

// The public report API: its reads, each one implementation served by its route handler and, for speed under
// many pollers and so that downloads end with their clients, by the web server's own front (server/web.ts)
// before Next.js's request pipeline; the trigger's body; a report's status as the API answers it.

/** GET /get_report: a report's status, or (Accept: text/csv or ?format=csv) its CSV once complete. */
export const getReport = route(operations.getReport, async (request, { scope, query }) => {
  const id = checkReportId(query.report_id);
  const state = await reportStatus(id, scope);
  if (wantsCsv(request)) {
    if (state.status === "Complete") return reportFile(request, id, scope);
    if (state.status !== "Failed") return json({ status: "Running" }, 202);
  }
  return json(statusBody(state));
});

/**
 * GET /get_report_file/<id>: the CSV of a complete report, as an attachment; to the caller's credentials, or to a
 * signed link (a scheduled report's) without any.
 */
export const getReportFile = route(operations.getReportFile, async (request, { scope, params }) => reportFile(request, params.id, scope));

/** The CSV holds the rows of the caller's stores only: same header, same order. */
async function reportFile(request: Request, id: string, scope: Scope): Promise<Response> {
  return csvResponse(await reportCsv(id, scope, request.signal), { filename: `report-${id}.csv` });
}

/** The body of POST /trigger_report: nothing, or JSON {"as_of": "<ISO 8601>"} (a small body: 413 over a few KB). */
export async function parseTriggerBody(request: Request): Promise<string | undefined> {
  const json = await readJson(request, 'the body must be empty or JSON like {"as_of": "2024-10-14T23:55:18Z"}');
  if (json === undefined) return undefined;
  const parsed = triggerReportBody.safeParse(json);
  if (!parsed.success) throw new AppError("invalid_body", 400, `as_of must be a string: ${parsed.error.issues[0]?.message}`);
  return parsed.data.as_of;
}

export function statusBody(state: ReportStatusFields): ReportStatusResponse {
  switch (state.status) {
    case "Complete":
      return { status: "Complete", download_url: `/get_report_file/${state.id}` };
    case "Failed":
      return { status: "Failed", error: state.error ?? "the report failed" };
    default:
      return { status: "Running", progress: reportProgress(state) };
  }
}
