// POST /api/admin/owners/<slug>/stores {"storeIds": [...]} - makes these stores the owner's
import { z } from "zod";
import { json, parseBody, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { assignStores } from "@/lib/owners/owners";

export const dynamic = "force-dynamic";

const body = z.object({ storeIds: z.array(z.string()).min(1).max(10_000) });

export const POST = route<{ params: Promise<{ slug: string }> }>(async (request, { params }) => {
  await authorize(request, "admin");
  const { storeIds } = await parseBody(request, body, 1024 * 1024);
  return json(await assignStores((await params).slug, storeIds));
});
