// GET /api/reports - the newest reports and whether any data is loaded (the dashboard's home)
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { dataStatus, listReports } from "@/lib/reports/list";

export const dynamic = "force-dynamic";

export const GET = route(operations.listReports, async (_request, { scope }) =>
  json({ reports: await listReports(scope), data: await dataStatus(scope) }),
);
