// POST /api/admin/owners/<slug>/stores {"storeIds": [...]} - makes these stores the owner's;
// DELETE with the same body - takes them from the owner
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { assignStores, removeStores } from "@/lib/owners/owners";

export const dynamic = "force-dynamic";

export const POST = route(operations.assignStores, async (_request, { params, body }) =>
  json(await assignStores(params.slug, body.storeIds)),
);

export const DELETE = route(operations.removeStores, async (_request, { params, body }) =>
  json(await removeStores(params.slug, body.storeIds)),
);
