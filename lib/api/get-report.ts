import { authorize } from "../auth/authorize";
import { checkReportId, reportCsv, reportStatus } from "../reports/read";
import { statusBody } from "./report-api";
import { csvResponse, json, route, wantsCsv } from "./respond";

/**
 * GET /get_report: a report's status, or (Accept: text/csv or ?format=csv) its CSV once complete. The one
 * implementation, served by the route handler and, for speed under many pollers, by the web server's own
 * front (scripts/web.ts) before Next.js's request pipeline.
 */
export const getReport = route(async (request: Request) => {
  authorize(request, "reports");
  const id = checkReportId(new URL(request.url).searchParams.get("report_id"));
  const state = await reportStatus(id);
  if (wantsCsv(request)) {
    if (state.status === "Complete") return csvResponse(await reportCsv(id), { filename: `report-${id}.csv` });
    if (state.status !== "Failed") return json({ status: "Running" }, 202);
  }
  return json(statusBody(state));
});
