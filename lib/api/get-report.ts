import { authorize } from "../auth/authorize";
import { checkReportId, reportCsv, reportStatus } from "../reports/read";
import { statusBody } from "./report-api";
import { csvResponse, json, route, wantsCsv } from "./respond";

// The report API's reads, each one implementation served by its route handler and, for speed under many
// pollers and so that downloads end with their clients, by the web server's own front (scripts/web.ts)
// before Next.js's request pipeline.

/** GET /get_report: a report's status, or (Accept: text/csv or ?format=csv) its CSV once complete. */
export const getReport = route(async (request: Request) => {
  await authorize(request, "reports");
  const id = checkReportId(new URL(request.url).searchParams.get("report_id"));
  const state = await reportStatus(id);
  if (wantsCsv(request)) {
    if (state.status === "Complete") return reportFile(request, id);
    if (state.status !== "Failed") return json({ status: "Running" }, 202);
  }
  return json(statusBody(state));
});

/** GET /get_report_file/<id>: the CSV of a complete report, as an attachment. */
export const getReportFile = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  await authorize(request, "reports");
  return reportFile(request, (await params).id);
});

async function reportFile(request: Request, id: string): Promise<Response> {
  return csvResponse(await reportCsv(id, request.signal), { filename: `report-${id}.csv` });
}
