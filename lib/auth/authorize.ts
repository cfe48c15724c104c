import { env } from "../env";
import { AppError } from "../errors";
import { equalSecrets, SESSION_COOKIE, verifySession } from "./session";

export type Access = "admin" | "ingest" | "reports";

export interface Caller {
  /** Who, for the import log: "admin" or the scope of the key used. */
  actor: string;
}

function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

export function hasAdminSession(request: Request): boolean {
  return verifySession(cookieValue(request, SESSION_COOKIE));
}

/**
 * Cookies go with every request to this site, whoever's page sends it: a mutating request that relies on
 * the session must come from this site's own pages (Origin, or Sec-Fetch-Site, says so).
 */
function checkSameOrigin(request: Request): void {
  if (request.method === "GET" || request.method === "HEAD") return;
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  const sameOrigin = origin ? new URL(origin).host === host : site === null || site === "same-origin" || site === "none";
  if (!sameOrigin) throw new AppError("cross_site_request", 403, "cross-site requests may not change data");
}

/**
 * Lets a request through when its credentials give `access`, else throws 401 (no or bad credentials) or
 * 403 (credentials without that right). An admin session gives every access; a service key gives its scope.
 * Report access is open while no API key is configured, as the original contract was.
 */
export function authorize(request: Request, access: Access): Caller {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const key = match ? env().API_KEYS.find((k) => equalSecrets(k.key, match[1]!.trim())) : undefined;
    if (!key) throw new AppError("unauthorized", 401, "the API key is not valid");
    if (key.scope !== access) throw new AppError("forbidden", 403, `this API key has the ${key.scope} scope; this needs ${access}`);
    return { actor: `${key.scope} key` };
  }
  if (hasAdminSession(request)) {
    checkSameOrigin(request);
    return { actor: "admin" };
  }
  if (access === "reports" && env().API_KEYS.length === 0) return { actor: "anonymous" };
  throw new AppError(
    "unauthorized",
    401,
    access === "admin" ? "sign in as an admin first" : `this needs an API key with the ${access} scope (Authorization: Bearer <key>) or an admin session`,
  );
}
