// GET /api/reports - the newest reports and whether any data is loaded (the dashboard's home)
import { json, route } from "@/lib/api/respond";
import { dataStatus, listReports } from "@/lib/reports/list";
import { authorize } from "@/lib/auth/authorize";

export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  const { scope } = await authorize(request, "reports");
  return json({ reports: await listReports(scope), data: await dataStatus() });
});
