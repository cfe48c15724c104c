// GET /api/keys - the service keys the signed-in account may manage; POST {"name", "scope", "owner"} - a new key,
// answered once with its secret
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { keysFor, makeKey } from "@/lib/auth/key-admin";

export const dynamic = "force-dynamic";

export const GET = route(operations.listKeys, async (_request, { caller }) => json({ keys: await keysFor(caller) }));

export const POST = route(operations.createKey, async (_request, { caller, body }) => json(await makeKey(caller, body), 201));
