import { AppError } from "../errors";
import { accounts } from "./accounts";
import { cookieValue, hasAdminSession } from "./authorize";
import { clearedSessionCookie, endAllSessions, endSession, SESSION_COOKIE } from "./session";
import { signedInPerson } from "./people";
import { checkSameSite } from "./request-origin";

/**
 * Ends the sessions a request carries, on the server: the bootstrap admin's and a person's. `everywhere`: every
 * session of that account, in every browser (for the bootstrap admin, every admin-token session), and then the
 * request must carry a valid session (401 otherwise). Returns the cookies that clear them in this browser.
 */
export async function signOut(request: Request, { everywhere }: { everywhere: boolean }): Promise<string[]> {
  const cookies: string[] = [];
  const person = await signedInPerson(request);
  const admin = await hasAdminSession(request);
  if (everywhere && !person && !admin) throw new AppError("unauthorized", 401, "sign in first");
  if (everywhere) checkSameSite(request); // another site's page may not end all of one's sessions
  if (person) {
    const auth = await accounts();
    if (everywhere) await auth.api.revokeSessions({ headers: request.headers });
    const { headers } = await auth.api.signOut({ headers: request.headers, returnHeaders: true });
    cookies.push(...headers.getSetCookie());
  }
  if (everywhere && admin) await endAllSessions();
  else await endSession(cookieValue(request, SESSION_COOKIE));
  cookies.push(clearedSessionCookie());
  return cookies;
}
