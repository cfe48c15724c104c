// GET /api/admin/owners - the owners, with how many stores and members each has; POST {"slug", "name"} - a new owner
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { createOwner, listOwners } from "@/lib/owners/owners";

export const dynamic = "force-dynamic";

export const GET = route(operations.listOwners, async () => json({ owners: await listOwners() }));

export const POST = route(operations.createOwner, async (_request, { body }) => json(await createOwner(body), 201));
