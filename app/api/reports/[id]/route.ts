// GET /api/reports/<id> - a report's state and, once complete, its figures over all stores
import { json, route } from "@/lib/api/respond";
import { reportOverview } from "@/lib/reports/list";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (_request, { params }) => json(await reportOverview((await params).id)));
