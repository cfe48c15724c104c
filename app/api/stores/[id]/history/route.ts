// GET /api/stores/<id>/history?days=30&report=<id> - business-hours uptime per local date, up to 90 days
import { storeHistoryQuery } from "@/lib/api/schemas";
import { json, parseQuery, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { storeHistoryView } from "@/lib/stores/history";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const { scope } = await authorize(request, "reports");
  const { days, report } = parseQuery(request, storeHistoryQuery);
  return json(await storeHistoryView((await params).id, days, report, scope));
});
