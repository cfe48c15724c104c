// GET /api/reports/<id>/rows?page&pageSize&sort&dir&q - one page of a report's rows, sorted and filtered in SQL
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { reportRowsPage } from "@/lib/reports/list";

export const dynamic = "force-dynamic";

export const GET = route(operations.reportRows, async (_request, { scope, params, query }) =>
  json(await reportRowsPage(params.id, query, scope)),
);
