// POST /api/alerts/incidents/<id>/acknowledge - records who saw an open incident, and their note (idempotent)
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { acknowledgeIncident } from "@/lib/alerts/incidents";

export const dynamic = "force-dynamic";

export const POST = route(operations.acknowledgeIncident, async (_request, { scope, caller, params, body }) =>
  json(await acknowledgeIncident(scope, caller.actor, params.id, body.note)),
);
