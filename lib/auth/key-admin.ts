import { AppError } from "../errors";
import { ownerBySlug } from "../owners/owners";
import { createApiKey, listApiKeys, revokeApiKey } from "./api-keys";
import type { ApiKeyView, KeyScope } from "../api/views/auth";
import { closeOpenMode, recheckOpenMode } from "./people";
import type { Caller } from "./authorize";

// Service keys as the keys page manages them: admins make any key; an owner's member makes reports keys of
// their own owners only, and sees and revokes only those.

const ownersOf = (caller: Caller) => (caller.scope.all ? undefined : caller.scope.ownerIds);

export function keysFor(caller: Caller): Promise<ApiKeyView[]> {
  return listApiKeys(ownersOf(caller));
}

export async function makeKey(
  caller: Caller,
  input: { name: string; scope: KeyScope; owner?: string },
): Promise<{ key: string; view: ApiKeyView }> {
  const mine = ownersOf(caller);
  if (mine && input.scope !== "reports") throw new AppError("forbidden", 403, "an owner's member makes reports keys only");
  // A member is told the same whether another owner's short name exists or not.
  const owner = input.owner ? await ownerBySlug(input.owner).catch((e) => (mine ? null : Promise.reject(e))) : null;
  if (mine && (!owner || !mine.includes(owner.id))) throw new AppError("invalid_body", 400, "field owner: choose one of your owners");
  if (input.scope === "ingest" && owner)
    throw new AppError("invalid_body", 400, "field owner: ingest keys push polls for any store; they name no owner");
  const made = await createApiKey({ name: input.name, scope: input.scope, ownerId: owner?.id ?? null, createdBy: caller.actor });
  closeOpenMode();
  return made;
}

export async function revokeKey(caller: Caller, id: string): Promise<void> {
  if (!(await revokeApiKey(id, ownersOf(caller)))) throw new AppError("key_not_found", 404, `no key ${id} to revoke`);
  recheckOpenMode();
}
