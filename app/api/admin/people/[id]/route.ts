// DELETE /api/admin/people/<id> - deletes an account; its sessions end with it
import { operations } from "@/lib/api/contract";
import { noContent, route } from "@/lib/api/respond";
import { removePerson } from "@/lib/auth/people";

export const dynamic = "force-dynamic";

export const DELETE = route(operations.removePerson, async (_request, { params }) => {
  await removePerson(params.id);
  return noContent();
});
