// POST /api/admin/session - sign in: {"token"} (the bootstrap admin) or {"email", "password"} (a person);
// DELETE - sign out: the sessions this request carries end on the server
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { readJson } from "@/lib/api/body";
import { noContent, route } from "@/lib/api/respond";
import { signIn } from "@/lib/auth/sign-in";
import { signOut } from "@/lib/auth/sign-out";

export const dynamic = "force-dynamic";

const body = z.union([
  z.object({ token: z.string().min(1).max(1000) }),
  z.object({ email: z.string().min(3).max(320), password: z.string().min(1).max(1000) }),
]);

export const POST = route(async (request) => {
  const invalid = 'send {"token": "<admin token>"} or {"email": "…", "password": "…"}';
  const parsed = body.safeParse(await readJson(request, invalid));
  if (!parsed.success) throw new AppError("invalid_body", 400, invalid);
  return noContent({}, (await signIn(request, parsed.data)).cookies);
});

export const DELETE = route(async (request) => noContent({}, await signOut(request, { everywhere: false })));
