// GET /get_report?report_id=<id> - status of a report, or (Accept: text/csv or ?format=csv) its CSV
import { NextResponse } from "next/server";
import { statusBody } from "@/lib/api/report-api";
import { csvResponse, route, wantsCsv } from "@/lib/api/respond";
import { checkReportId, reportCsv, reportState } from "@/lib/reports/read";
import { authorize } from "@/lib/auth/authorize";

export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  authorize(request, "reports");
  const id = checkReportId(new URL(request.url).searchParams.get("report_id"));
  const state = await reportState(id);
  if (wantsCsv(request)) {
    if (state.status === "Complete") return csvResponse(await reportCsv(id), { filename: `report-${id}.csv` });
    if (state.status !== "Failed") return NextResponse.json({ status: "Running" }, { status: 202 });
  }
  return NextResponse.json(statusBody(state), { headers: { "Cache-Control": "no-store" } });
});
