// POST /api/admin/people/<id>/password-link - a new one-time link with which they choose a new password
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { passwordLink } from "@/lib/auth/password-link";
import { passwordResetToken } from "@/lib/auth/people";

export const dynamic = "force-dynamic";

export const POST = route(operations.resetPassword, async (request, { params }) =>
  json({ link: passwordLink(request, await passwordResetToken(params.id)) }, 201),
);
