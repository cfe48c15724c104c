// POST /api/admin/session - sign in with the admin token; DELETE - sign out (the session ends on the server)
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { readJson } from "@/lib/api/body";
import { noContent, route } from "@/lib/api/respond";
import { cookieValue } from "@/lib/auth/authorize";
import { clearedSessionCookie, endSession, SESSION_COOKIE } from "@/lib/auth/session";
import { signIn } from "@/lib/auth/sign-in";

export const dynamic = "force-dynamic";

const body = z.object({ token: z.string().min(1).max(1000) });

export const POST = route(async (request) => {
  const invalid = 'send {"token": "<admin token>"}';
  const parsed = body.safeParse(await readJson(request, invalid));
  if (!parsed.success) throw new AppError("invalid_body", 400, invalid);
  return noContent({ "Set-Cookie": await signIn(request, parsed.data.token) });
});

export const DELETE = route(async (request) => {
  await endSession(cookieValue(request, SESSION_COOKIE));
  return noContent({ "Set-Cookie": clearedSessionCookie() });
});
