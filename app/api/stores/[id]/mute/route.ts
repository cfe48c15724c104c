// PUT /api/stores/<id>/mute - no notification of the store's incidents until then; DELETE - ends the mute now
import { operations } from "@/lib/api/contract";
import { json, noContent, route } from "@/lib/api/respond";
import { muteStore, unmuteStore } from "@/lib/alerts/mutes";

export const dynamic = "force-dynamic";

export const PUT = route(operations.muteStore, async (_request, { scope, caller, params, body }) =>
  json(await muteStore(scope, caller.actor, params.id, body)),
);

export const DELETE = route(operations.unmuteStore, async (_request, { scope, params }) => {
  await unmuteStore(scope, params.id);
  return noContent();
});
