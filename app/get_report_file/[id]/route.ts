// GET /get_report_file/<id> - the CSV of a complete report, streamed from the database
import { csvResponse, route } from "@/lib/api/respond";
import { reportCsv } from "@/lib/reports/read";
import { authorize } from "@/lib/auth/authorize";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  authorize(request, "reports");
  const { id } = await params;
  return csvResponse(await reportCsv(id), { filename: `report-${id}.csv` });
});
