// POST /api/admin/people/<id>/password-link - a new one-time link with which they choose a new password (e-mailed
// when SMTP_URL is set, else answered to the admin)
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { passwordResetToken } from "@/lib/auth/people";
import { deliveredLink } from "@/lib/team/link-delivery";

export const dynamic = "force-dynamic";

export const POST = route(operations.resetPassword, async (request, { params }) => {
  const { email, token } = await passwordResetToken(params.id);
  return json(await deliveredLink(request, { email, token, kind: "reset", inviter: "An admin" }), 201);
});
