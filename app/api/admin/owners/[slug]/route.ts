// DELETE /api/admin/owners/<slug> - deletes an owner; its stores stay, without an owner
import { operations } from "@/lib/api/contract";
import { noContent, route } from "@/lib/api/respond";
import { deleteOwner } from "@/lib/owners/owners";

export const dynamic = "force-dynamic";

export const DELETE = route(operations.deleteOwner, async (_request, { params }) => {
  await deleteOwner(params.slug);
  return noContent();
});
