// DELETE /api/keys/<id> - revokes a key at once (it stays listed, marked revoked)
import { noContent, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { revokeKey } from "@/lib/auth/key-admin";

export const dynamic = "force-dynamic";

export const DELETE = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  await revokeKey(await authorize(request, "account"), (await params).id);
  return noContent();
});
