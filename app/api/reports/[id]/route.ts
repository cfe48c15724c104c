// GET /api/reports/<id> - a report's state and, once complete, its figures over the caller's stores
import { json, route } from "@/lib/api/respond";
import { reportOverview } from "@/lib/reports/list";
import { authorize } from "@/lib/auth/authorize";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const { scope } = await authorize(request, "reports");
  return json(await reportOverview((await params).id, scope));
});
