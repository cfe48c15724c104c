// GET /api/alerts?store=<id> - incidents of the caller's stores (a store down within business hours), open first
import { z } from "zod";
import { json, parseQuery, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { listIncidents } from "@/lib/alerts/list";

export const dynamic = "force-dynamic";

const query = z.object({ store: z.string().max(128).optional() });

export const GET = route(async (request) => {
  const { scope } = await authorize(request, "reports");
  return json({ incidents: await listIncidents(scope, parseQuery(request, query).store) });
});
