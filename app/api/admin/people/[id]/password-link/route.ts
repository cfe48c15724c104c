// POST /api/admin/people/<id>/password-link - a new one-time link with which they choose a new password
import { json, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { passwordLink } from "@/lib/auth/password-link";
import { passwordResetToken } from "@/lib/auth/people";

export const dynamic = "force-dynamic";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  await authorize(request, "admin");
  return json({ link: passwordLink(request, await passwordResetToken((await params).id)) }, 201);
});
