import type { Scope } from "../auth/scope";
import { checkReportId, reportCsv, reportStatus } from "../reports/read";
import { operations } from "./contract";
import { statusBody } from "./report-api";
import { csvResponse, json, route, wantsCsv } from "./respond";

// The report API's reads, each one implementation served by its route handler and, for speed under many
// pollers and so that downloads end with their clients, by the web server's own front (scripts/web.ts)
// before Next.js's request pipeline.

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
