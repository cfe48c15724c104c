// GET /api/reports/<id> - a report's state and, once complete, its figures over the caller's stores
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { reportOverview } from "@/lib/reports/list";

export const dynamic = "force-dynamic";

export const GET = route(operations.reportOverview, async (_request, { scope, params }) => json(await reportOverview(params.id, scope)));
