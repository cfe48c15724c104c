// GET /api/keys - the service keys the signed-in account may manage; POST {"name", "scope", "owner"} - a new key,
// answered once with its secret
import { z } from "zod";
import { json, parseBody, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { keysFor, makeKey } from "@/lib/auth/key-admin";

export const dynamic = "force-dynamic";

export const GET = route(async (request) => json({ keys: await keysFor(await authorize(request, "account")) }));

const newKey = z.object({ name: z.string().trim().min(1).max(100), scope: z.enum(["reports", "ingest"]), owner: z.string().max(40).optional() });

export const POST = route(async (request) => {
  const caller = await authorize(request, "account");
  return json(await makeKey(caller, await parseBody(request, newKey)), 201);
});
