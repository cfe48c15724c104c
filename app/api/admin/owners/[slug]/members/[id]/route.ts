// PUT /api/admin/owners/<slug>/members/<id> {"role": "manager" | "member"} - makes or unmakes the owner's manager
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { ownerBySlug } from "@/lib/owners/owners";
import { setMemberRole } from "@/lib/team/team";

export const dynamic = "force-dynamic";

export const PUT = route(operations.setMemberRole, async (_request, { params, body }) =>
  json(await setMemberRole(await ownerBySlug(params.slug), params.id, body.role)),
);
