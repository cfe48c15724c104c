// POST /api/admin/session - sign in with the admin token; DELETE - sign out (the session ends on the server)
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/api/respond";
import { cookieValue } from "@/lib/auth/authorize";
import { clearedSessionCookie, endSession, SESSION_COOKIE } from "@/lib/auth/session";
import { signIn } from "@/lib/auth/sign-in";

export const dynamic = "force-dynamic";

const body = z.object({ token: z.string().min(1).max(1000) });

export const POST = route(async (request) => {
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) throw new AppError("invalid_body", 400, 'send {"token": "<admin token>"}');
  return new Response(null, { status: 204, headers: { "Set-Cookie": await signIn(request, parsed.data.token) } });
});

export const DELETE = route(async (request) => {
  await endSession(cookieValue(request, SESSION_COOKIE));
  return new Response(null, { status: 204, headers: { "Set-Cookie": clearedSessionCookie() } });
});
