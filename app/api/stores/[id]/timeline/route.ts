// GET /api/stores/<id>/timeline?report=<id> - a store's week: hours, polls, counted spans and figures
import { storeTimelineQuery } from "@/lib/api/schemas";
import { json, parseQuery, route } from "@/lib/api/respond";
import { storeTimelineView } from "@/lib/stores/timeline";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) =>
  json(await storeTimelineView(decodeURIComponent((await params).id), parseQuery(request, storeTimelineQuery).report)),
);
