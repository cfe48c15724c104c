import { AppError } from "../errors";
import { countSignInAttempt, signInSucceeded } from "./limits";
import { afterSignInPath } from "./redirect";
import { clientAddress, publicOrigin } from "./request-origin";
import { ADMIN_ACCOUNT, checkAdminToken, createSession, sessionCookie } from "./session";

/**
 * Exchanges the admin token for a session: the Set-Cookie value of a new session, or 401 for a wrong token,
 * or 429 once this client address, or the account, has had too many failed attempts (counted first).
 */
export async function signIn(request: Request, token: string): Promise<string> {
  const client = clientAddress(request);
  await countSignInAttempt(client, ADMIN_ACCOUNT);
  if (!checkAdminToken(token)) throw new AppError("unauthorized", 401, "that is not the admin token");
  await signInSucceeded(client, ADMIN_ACCOUNT);
  const session = await createSession();
  return sessionCookie(session.value, session.expiresAt, publicOrigin(request).startsWith("https:"));
}

/** The sign-in form's page; the form posts to /admin/login. */
export const SIGN_IN_PAGE = "/admin/sign-in";

/** Why a browser's sign-in failed, as the sign-in page's `?error=` names it. */
export type SignInFailure = "wrong_token" | "too_many";

/**
 * A browser's sign-in (the form, or the sign-in link): on success a 303 to `next` when that is a page of this
 * site, else to `/`; on failure a 303 back to the sign-in page saying why. The answer is never a page, so a
 * token in the address is gone from the address bar at once and is never sent on as a Referer.
 */
export async function signInAndRedirect(request: Request, token: string, next: string | null): Promise<Response> {
  const target = afterSignInPath(next, publicOrigin(request));
  const headers = new Headers({ "Cache-Control": "no-store" });
  try {
    headers.set("Set-Cookie", await signIn(request, token));
    headers.set("Location", target);
  } catch (e) {
    if (!(e instanceof AppError) || (e.status !== 401 && e.status !== 429)) throw e;
    const query = new URLSearchParams({ error: e.status === 429 ? "too_many" : "wrong_token" });
    if (e.headers?.["Retry-After"]) query.set("retry", e.headers["Retry-After"]);
    if (next) query.set("next", target);
    headers.set("Location", `${SIGN_IN_PAGE}?${query}`);
  }
  return new Response(null, { status: 303, headers });
}
