// DELETE /api/admin/people/<id> - deletes an account; its sessions end with it
import { noContent, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { removePerson } from "@/lib/auth/people";

export const dynamic = "force-dynamic";

export const DELETE = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  await authorize(request, "admin");
  await removePerson((await params).id);
  return noContent();
});
