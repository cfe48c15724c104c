import { apiKeys } from "../env";
import { AppError } from "../errors";
import { apiKeyLimitKey } from "./limits";
import { checkSameSite, clientAddress } from "./request-origin";
import { ADMIN_ACCOUNT, equalSecrets, SESSION_COOKIE, verifySession } from "./session";

export type Access = "admin" | "ingest" | "reports";

export interface Caller {
  /** Who, for the import log: "admin", the scope of the key used, or "anonymous". */
  actor: string;
  /**
   * What the caller's rate limits are counted under: its API key (hashed), its account, or its address.
   * Worked out when asked (only triggers need it), not on every status call.
   */
  limitKey(): string;
}

export function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

export function hasAdminSession(request: Request): Promise<boolean> {
  return verifySession(cookieValue(request, SESSION_COOKIE));
}

/**
 * Lets a request through when its credentials give `access`, else throws 401 (no or bad credentials) or
 * 403 (credentials without that right). An admin session gives every access; a service key gives its scope.
 * Report access is open while no API key is configured, as the original contract was. A browser carries
 * the session cookie, and in open mode needs nothing, whichever site's page makes it send a request: one
 * that changes data must come from this site (403 otherwise). A key is sent only by whoever holds it.
 */
export async function authorize(request: Request, access: Access): Promise<Caller> {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const key = match ? apiKeys().find((k) => equalSecrets(k.key, match[1]!.trim())) : undefined;
    if (!key) throw new AppError("unauthorized", 401, "the API key is not valid");
    if (key.scope !== access) throw new AppError("forbidden", 403, `this API key has the ${key.scope} scope; this needs ${access}`);
    return { actor: `${key.scope} key`, limitKey: () => apiKeyLimitKey(key.key) };
  }
  const changesData = request.method !== "GET" && request.method !== "HEAD";
  if (access === "reports" && apiKeys().length === 0) {
    if (changesData) checkSameSite(request);
    return { actor: "anonymous", limitKey: () => `client:${clientAddress(request)}` };
  }
  if (await hasAdminSession(request)) {
    if (changesData) checkSameSite(request);
    return { actor: "admin", limitKey: () => `account:${ADMIN_ACCOUNT}` };
  }
  throw new AppError(
    "unauthorized",
    401,
    access === "admin" ? "sign in as an admin first" : `this needs an API key with the ${access} scope (Authorization: Bearer <key>) or an admin session`,
  );
}
