// DELETE /api/team/<slug>/members/<id> - takes someone off the owner's team
import { operations } from "@/lib/api/contract";
import { noContent, route } from "@/lib/api/respond";
import { managedOwner, removeFromTeam } from "@/lib/team/team";

export const dynamic = "force-dynamic";

export const DELETE = route(operations.removeFromTeam, async (_request, { caller, params }) => {
  await removeFromTeam(caller, await managedOwner(caller, params.slug), params.id);
  return noContent();
});
