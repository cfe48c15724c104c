// GET /api/admin/owners - the owners, with how many stores and members each has; POST {"slug", "name"} - a new owner
import { z } from "zod";
import { json, parseBody, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { createOwner, listOwners } from "@/lib/owners/owners";

export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  await authorize(request, "admin");
  return json({ owners: await listOwners() });
});

const newOwner = z.object({ slug: z.string().min(1).max(40), name: z.string().trim().min(1).max(200) });

export const POST = route(async (request) => {
  await authorize(request, "admin");
  return json(await createOwner(await parseBody(request, newOwner)), 201);
});
