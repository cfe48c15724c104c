// GET /api/stores/<id>/history?days=30&report=<id> - business-hours uptime per local date, up to 90 days
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { storeHistoryView } from "@/lib/stores/history";

export const dynamic = "force-dynamic";

export const GET = route(operations.storeHistory, async (_request, { scope, params, query }) =>
  json(await storeHistoryView(params.id, query.days, query.report, scope)),
);
