import { accounts, PASSWORD_LINK_HOURS, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, refusedWith } from "./accounts";
import { cookieValue } from "./authorize";
import { publicOrigin } from "./request-origin";
import { SIGN_IN_PAGE } from "./sign-in";

// The links with which a person chooses a password (an invitation, or a reset an admin gave them). Opening the
// link trades its token for a short-lived cookie and sends the browser to the form, so that the token is left
// in no address bar, history or Referer; the form's answer sets the password with the token from the cookie.

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

/** GET /account/password?token=: keeps the token in a cookie for an hour and shows the form. */
export function openPasswordLink(request: Request): Response {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  if (!/^[\w-]{16,100}$/.test(token)) return redirect(`${PASSWORD_PAGE}?error=invalid_link`);
  return redirect(PASSWORD_PAGE, linkCookie(request, token, 3600));
}

export type PasswordFailure = "invalid_link" | "too_short" | "too_long" | "mismatch";

/** POST /account/password (form fields password, confirm): sets the password, then on to the sign-in page. */
export async function setPasswordFromLink(request: Request, form: URLSearchParams): Promise<Response> {
  const token = cookieValue(request, LINK_COOKIE);
  const [password, confirm] = [form.get("password") ?? "", form.get("confirm") ?? ""];
  const failure: PasswordFailure | null = !token
    ? "invalid_link"
    : password.length < PASSWORD_MIN_LENGTH
      ? "too_short"
      : password.length > PASSWORD_MAX_LENGTH
        ? "too_long"
        : password !== confirm
          ? "mismatch"
          : null;
  if (failure) return redirect(`${PASSWORD_PAGE}?error=${failure}`);
  try {
    await (await accounts()).api.resetPassword({ body: { token: token!, newPassword: password } });
  } catch (e) {
    if (refusedWith(e, 400)) return redirect(`${PASSWORD_PAGE}?error=invalid_link`, linkCookie(request, "", 0));
    throw e;
  }
  return redirect(`${SIGN_IN_PAGE}?notice=password_set`, linkCookie(request, "", 0));
}

export const PASSWORD_RULES = `at least ${PASSWORD_MIN_LENGTH} characters; a link works once, for ${PASSWORD_LINK_HOURS} hours`;

/** A password link's failure, in words. */
export function passwordFailureMessage(failure: string | undefined): string | undefined {
  const reasons: Record<PasswordFailure, string> = {
    invalid_link: "This link is not valid any more (it was used, or it is older than 72 hours). Ask an admin for a new one.",
    too_short: `The password must have at least ${PASSWORD_MIN_LENGTH} characters.`,
    too_long: `The password may have at most ${PASSWORD_MAX_LENGTH} characters.`,
    mismatch: "The two passwords differ.",
  };
  return failure && failure in reasons ? reasons[failure as PasswordFailure] : undefined;
}
