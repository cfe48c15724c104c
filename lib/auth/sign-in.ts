import { AppError } from "../errors";
import { accounts, refusedWith } from "./accounts";
import { countSignInAttempt, signInSucceeded } from "./limits";
import { afterSignInPath } from "./redirect";
import { checkSameSite, clientAddress, publicOrigin } from "./request-origin";
import { ADMIN_ACCOUNT, checkAdminToken, createSession, sessionCookie } from "./session";

/** The longest e-mail address (RFC 5321's path limit). */
const MAX_EMAIL_LENGTH = 254;

/** What a sign-in gives: either the admin token, or a person's e-mail and password. */
export type Credentials = { token: string } | { email: string; password: string };

/**
 * Exchanges credentials for a session: the Set-Cookie values of the new session, or 401 for wrong ones, or 429
 * once this client address, or the account, has had too many failed attempts (counted first, so that attempts
 * sent all at once are counted too).
 */
export async function signIn(request: Request, credentials: Credentials): Promise<{ cookies: string[]; admin: boolean }> {
  // Another site's page may not sign a browser in to an account of its choosing (the admin's sign-in link, a
  // GET, carries the admin token itself, which no other site has).
  if (request.method !== "GET") checkSameSite(request);
  const client = clientAddress(request);
  if ("token" in credentials) {
    await countSignInAttempt(client, ADMIN_ACCOUNT);
    if (!checkAdminToken(credentials.token)) throw new AppError("unauthorized", 401, "that is not the admin token");
    await signInSucceeded(client, ADMIN_ACCOUNT);
    const session = await createSession();
    return { cookies: [sessionCookie(session.value, session.expiresAt, publicOrigin(request).startsWith("https:"))], admin: true };
  }
  const email = credentials.email.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH)
    throw new AppError("invalid_body", 400, `an e-mail address has at most ${MAX_EMAIL_LENGTH} characters`);
  const account = `person:${email}`;
  await countSignInAttempt(client, account);
  const auth = await accounts();
  let signedIn;
  try {
    signedIn = await auth.api.signInEmail({ body: { email, password: credentials.password }, returnHeaders: true });
  } catch (e) {
    if (refusedWith(e, 400, 401)) throw new AppError("unauthorized", 401, "wrong e-mail or password");
    throw e;
  }
  await signInSucceeded(client, account);
  // Secure whenever the site is served over HTTPS, whether or not PUBLIC_URL says so.
  const secure = publicOrigin(request).startsWith("https:");
  const cookies = signedIn.headers.getSetCookie().map((c) => (secure && !/;\s*secure/i.test(c) ? `${c}; Secure` : c));
  return { cookies, admin: (signedIn.response.user as { role?: string }).role === "admin" };
}

/** The sign-in form's page; the form posts to /admin/login. */
export const SIGN_IN_PAGE = "/admin/sign-in";

/** Why a browser's sign-in failed, as the sign-in page's `?error=` names it. */
export type SignInFailure = "wrong_token" | "wrong_password" | "too_many";

/**
 * A browser's sign-in (the form, or the sign-in link): on success a 303 to `next` when that is a page of this
 * site, else to the upload page (admins) or the reports (owners' members); on failure a 303 back to the
 * sign-in page saying why. The answer is never a page, so a token in the address is gone from the address bar
 * at once and is never sent on as a Referer.
 */
export async function signInAndRedirect(request: Request, credentials: Credentials, next: string | null): Promise<Response> {
  const headers = new Headers({ "Cache-Control": "no-store" });
  try {
    const { cookies, admin } = await signIn(request, credentials);
    for (const cookie of cookies) headers.append("Set-Cookie", cookie);
    headers.set("Location", afterSignInPath(next, publicOrigin(request), admin ? undefined : "/"));
  } catch (e) {
    if (!(e instanceof AppError) || (e.status !== 401 && e.status !== 429)) throw e;
    const query = new URLSearchParams({ error: e.status === 429 ? "too_many" : "token" in credentials ? "wrong_token" : "wrong_password" });
    if (e.headers?.["Retry-After"]) query.set("retry", e.headers["Retry-After"]);
    if (next) query.set("next", afterSignInPath(next, publicOrigin(request)));
    headers.set("Location", `${SIGN_IN_PAGE}?${query}`);
  }
  return new Response(null, { status: 303, headers });
}
