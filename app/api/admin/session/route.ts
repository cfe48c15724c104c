// POST /api/admin/session - sign in with the admin token; DELETE - sign out
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/api/respond";
import { checkAdminToken, clearedSessionCookie, createSession, sessionCookie } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

const body = z.object({ token: z.string().min(1) });

export const POST = route(async (request) => {
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) throw new AppError("invalid_body", 400, 'send {"token": "<admin token>"}');
  if (!checkAdminToken(parsed.data.token)) throw new AppError("unauthorized", 401, "that is not the admin token");
  const session = createSession();
  const secure = new URL(request.url).protocol === "https:";
  return new Response(null, { status: 204, headers: { "Set-Cookie": sessionCookie(session.value, session.expiresAt, secure) } });
});

export const DELETE = route(async () => new Response(null, { status: 204, headers: { "Set-Cookie": clearedSessionCookie() } }));
