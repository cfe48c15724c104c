// POST /api/admin/owners/<slug>/stores {"storeIds": [...]} - makes these stores the owner's
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { assignStores } from "@/lib/owners/owners";

export const dynamic = "force-dynamic";

export const POST = route(operations.assignStores, async (_request, { params, body }) =>
  json(await assignStores(params.slug, body.storeIds)),
);
