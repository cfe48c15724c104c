// GET /api/alerts?store=<id> - incidents of the caller's stores (a store down within business hours), open first
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { listIncidents } from "@/lib/alerts/incidents";

export const dynamic = "force-dynamic";

export const GET = route(operations.listIncidents, async (_request, { scope, query }) =>
  json({ incidents: await listIncidents(scope, query.store) }),
);
