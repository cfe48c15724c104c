// GET /api/alerts?store=<id> - incidents of the caller's stores (a store down within business hours), open first; their mutes
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { listIncidents } from "@/lib/alerts/incidents";
import { activeMutes } from "@/lib/alerts/mutes";

export const dynamic = "force-dynamic";

export const GET = route(operations.listIncidents, async (_request, { scope, query }) => {
  const [incidents, mutes] = await Promise.all([listIncidents(scope, { storeId: query.store }), activeMutes(scope, query.store)]);
  return json({ incidents, mutes });
});
