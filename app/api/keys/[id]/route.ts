// DELETE /api/keys/<id> - revokes a key at once (it stays listed, marked revoked)
import { operations } from "@/lib/api/contract";
import { noContent, route } from "@/lib/api/respond";
import { revokeKey } from "@/lib/auth/key-admin";

export const dynamic = "force-dynamic";

export const DELETE = route(operations.revokeKey, async (_request, { caller, params }) => {
  await revokeKey(caller, params.id);
  return noContent();
});
