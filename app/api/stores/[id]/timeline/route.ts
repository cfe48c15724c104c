// GET /api/stores/<id>/timeline?report=<id> - a store's week: hours, polls, counted spans and figures
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { storeTimelineView } from "@/lib/stores/timeline";

export const dynamic = "force-dynamic";

export const GET = route(operations.storeTimeline, async (_request, { scope, params, query }) =>
  json(await storeTimelineView(params.id, query.report, scope)),
);
