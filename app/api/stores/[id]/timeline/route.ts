// GET /api/stores/<id>/timeline?report=<id> - a store's week: hours, polls, counted spans and figures
import { storeTimelineQuery } from "@/lib/api/schemas";
import { json, parseQuery, route } from "@/lib/api/respond";
import { storeTimelineView } from "@/lib/stores/timeline";
import { authorize } from "@/lib/auth/authorize";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const { scope } = await authorize(request, "reports");
  return json(await storeTimelineView((await params).id, parseQuery(request, storeTimelineQuery).report, scope));
});
