// DELETE /api/admin/owners/<slug> - deletes an owner; its stores stay, without an owner
import { noContent, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { deleteOwner } from "@/lib/owners/owners";

export const dynamic = "force-dynamic";

export const DELETE = route<{ params: Promise<{ slug: string }> }>(async (request, { params }) => {
  await authorize(request, "admin");
  await deleteOwner((await params).slug);
  return noContent();
});
