// GET /api/reports/<id>/spreadsheet?sort&dir&q&only - the report as people open it in a spreadsheet, streamed
import { operations } from "@/lib/api/contract";
import { csvResponse, route } from "@/lib/api/respond";
import { reportSpreadsheet } from "@/lib/reports/spreadsheet";

export const dynamic = "force-dynamic";

export const GET = route(operations.reportSpreadsheet, async (request, { scope, params, query }) => {
  const { csv, filename } = await reportSpreadsheet(params.id, query, scope, request.signal);
  return csvResponse(csv, { filename });
});
