// POST /api/admin/session - sign in: {"token"} (the bootstrap admin) or {"email", "password"} (a person);
// DELETE - sign out: the sessions this request carries end on the server
import { AppError } from "@/lib/errors";
import { readJson, requireText } from "@/lib/api/body";
import { operations, signInBody } from "@/lib/api/contract";
import { noContent, route } from "@/lib/api/respond";
import { signIn } from "@/lib/auth/sign-in";
import { signOut } from "@/lib/auth/sign-out";

export const dynamic = "force-dynamic";

export const POST = route(operations.signIn, async (request) => {
  const invalid = 'send {"token": "<admin token>"} or {"email": "…", "password": "…"}';
  const parsed = signInBody.safeParse(requireText(await readJson(request, invalid)));
  if (!parsed.success) throw new AppError("invalid_body", 400, invalid);
  return noContent({}, (await signIn(request, parsed.data)).cookies);
});

export const DELETE = route(operations.signOut, async (request) => noContent({}, await signOut(request, { everywhere: false })));
