// Where a browser goes after signing in. The target comes from a link (`?next=`), which anyone can write: it
// is resolved the way a browser resolves it, against this site's origin, and kept only when it is a page of
// this app on this site. Anything else goes to the home page, never to another site.

/** The pages of this app: the home, the alerts, the reports, the team, a report, a store, the admin and account pages. */
const APP_PAGE = /^\/(?:alerts\/?|reports\/?|team\/?|(?:reports|stores|admin|account)\/[^/]+(?:\/[^/]+)*\/?)?$/;

/** Where to go after signing in when no target was asked for. */
export const DEFAULT_AFTER_SIGN_IN = "/admin/upload";

/** The path (with its query) to send a browser to after signing in, given the link's `next` and the site's origin. */
export function afterSignInPath(next: string | null | undefined, origin: string, fallback = DEFAULT_AFTER_SIGN_IN): string {
  if (next === null || next === undefined || next === "") return fallback;
  let target: URL;
  try {
    target = new URL(next, origin);
  } catch {
    return "/";
  }
  if (target.origin !== origin || !APP_PAGE.test(target.pathname)) return "/";
  return `${target.pathname}${target.search}`;
}
