import {
  accounts,
  PASSWORD_LINK_HOURS,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordLinkState,
  passwordLinkUsed,
  refusedWith,
  type PasswordLinkState,
} from "./accounts";
import { AppError } from "../errors";
import { cookieValue } from "./authorize";
import { afterSignInPath } from "./redirect";
import { publicOrigin } from "./request-origin";
import { signIn, SIGN_IN_PAGE } from "./sign-in";

// The links with which a person chooses a password (an invitation, or a reset an admin gave them). Opening the
// link trades its token for a short-lived cookie and sends the browser to the form, so that the token is left
// in no address bar, history or Referer; the form's answer sets the password with the token from the cookie, and
// signs the person in with it.

const LINK_COOKIE = "sm_password_link";
/** The page with the form; the link and the form's answers are /account/password. */
export const PASSWORD_PAGE = "/account/set-password";

export function passwordLink(request: Request, token: string): string {
  return `${publicOrigin(request)}/account/password?${new URLSearchParams({ token })}`;
}

const redirect = (location: string, cookie?: string) =>
  new Response(null, {
    status: 303,
    headers: { Location: location, "Cache-Control": "no-store", ...(cookie ? { "Set-Cookie": cookie } : {}) },
  });

const linkCookie = (request: Request, token: string, maxAge: number) =>
  `${LINK_COOKIE}=${token}; Path=/account; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${publicOrigin(request).startsWith("https:") ? "; Secure" : ""}`;

/** Why a link that does not work does not: the page says so. */
const LINK_FAILURES: Record<Exclude<PasswordLinkState, "live">, PasswordFailure> = {
  unknown: "invalid_link",
  used: "used_link",
  superseded: "superseded_link",
  expired: "expired_link",
};

/** What a link's token is worth: null while it works, else why not. */
async function linkFailure(token: string): Promise<PasswordFailure | null> {
  if (!/^[\w-]{16,100}$/.test(token)) return "invalid_link";
  const state = await passwordLinkState(token);
  return state === "live" ? null : LINK_FAILURES[state];
}

/** The form's address, carrying on where to go once the password is set (a page of this site only, else none). */
function formPage(request: Request, next: string | null, error?: PasswordFailure): string {
  const query = new URLSearchParams(error ? { error } : {});
  const target = next ? afterSignInPath(next, publicOrigin(request), "/") : "/";
  if (target !== "/") query.set("next", target);
  return `${PASSWORD_PAGE}${query.size ? `?${query}` : ""}`;
}

/**
 * GET /account/password?token=[&next=]: keeps the token in a cookie for an hour and shows the form; a link that no
 * longer works goes to the page saying why (used, superseded by a newer one, expired).
 */
export async function openPasswordLink(request: Request): Promise<Response> {
  const query = new URL(request.url).searchParams;
  const token = query.get("token") ?? "";
  const failure = await linkFailure(token);
  if (failure) return redirect(`${PASSWORD_PAGE}?error=${failure}`);
  return redirect(formPage(request, query.get("next")), linkCookie(request, token, 3600));
}

export type PasswordFailure = "invalid_link" | "used_link" | "superseded_link" | "expired_link" | "too_short" | "too_long" | "mismatch";

/**
 * POST /account/password (form fields password, confirm, and next): sets the password and signs the person in with
 * it (the session cookie comes with the redirect), then on to `next` when it is a page of this site, else home.
 */
export async function setPasswordFromLink(request: Request, form: URLSearchParams): Promise<Response> {
  const token = cookieValue(request, LINK_COOKIE);
  const [password, confirm, next] = [form.get("password") ?? "", form.get("confirm") ?? "", form.get("next")];
  const failure: PasswordFailure | null = !token
    ? "invalid_link"
    : password.length < PASSWORD_MIN_LENGTH
      ? "too_short"
      : password.length > PASSWORD_MAX_LENGTH
        ? "too_long"
        : password !== confirm
          ? "mismatch"
          : null;
  if (failure) return redirect(formPage(request, next, failure));
  const dead = await linkFailure(token!);
  if (dead) return redirect(`${PASSWORD_PAGE}?error=${dead}`, linkCookie(request, "", 0));
  try {
    await (await accounts()).api.resetPassword({ body: { token: token!, newPassword: password } });
  } catch (e) {
    if (refusedWith(e, 400)) return redirect(`${PASSWORD_PAGE}?error=invalid_link`, linkCookie(request, "", 0));
    throw e;
  }
  const { email } = await passwordLinkUsed(token!);
  const headers = new Headers({ Location: afterSignInPath(next, publicOrigin(request), "/"), "Cache-Control": "no-store" });
  headers.append("Set-Cookie", linkCookie(request, "", 0));
  try {
    for (const cookie of (await signIn(request, { email, password })).cookies) headers.append("Set-Cookie", cookie);
  } catch (e) {
    // Too many sign-ins from this address meanwhile: the password is set all the same; they sign in later.
    if (!(e instanceof AppError) || e.status !== 429) throw e;
    headers.set("Location", `${SIGN_IN_PAGE}?notice=password_set`);
  }
  return new Response(null, { status: 303, headers });
}

const { invitation, reset } = PASSWORD_LINK_HOURS;
export const PASSWORD_RULES = `at least ${PASSWORD_MIN_LENGTH} characters; a link works once: an invitation for ${invitation} hours, a reset for ${reset} hour`;

/** Whether a failure is the link's own (no form helps), rather than the password's. */
export function isDeadLink(failure: string | undefined): boolean {
  return (Object.values(LINK_FAILURES) as string[]).includes(failure ?? "");
}

/** A password link's failure, in words. */
export function passwordFailureMessage(failure: string | undefined): string | undefined {
  const reasons: Record<PasswordFailure, string> = {
    invalid_link: "This link is not valid. Ask an admin for a new one.",
    used_link: "This link was used already: its password is set. Sign in with it, or ask an admin for a new link.",
    superseded_link: "A newer link was issued for this account, so this one no longer works. Use the newest link, or ask an admin for one.",
    expired_link: `This link has expired (an invitation works for ${invitation} hours, a reset for ${reset} hour). Ask an admin for a new one.`,
    too_short: `The password must have at least ${PASSWORD_MIN_LENGTH} characters.`,
    too_long: `The password may have at most ${PASSWORD_MAX_LENGTH} characters.`,
    mismatch: "The two passwords differ.",
  };
  return failure && failure in reasons ? reasons[failure as PasswordFailure] : undefined;
}
