// GET /api/reports/<id>/rows?page&pageSize&sort&dir&q - one page of a report's rows, sorted and filtered in SQL
import { reportRowsQuery } from "@/lib/api/schemas";
import { json, parseQuery, route } from "@/lib/api/respond";
import { reportRowsPage } from "@/lib/reports/list";
import { authorize } from "@/lib/auth/authorize";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const { scope } = await authorize(request, "reports");
  return json(await reportRowsPage((await params).id, parseQuery(request, reportRowsQuery), scope));
});
