import { env } from "../env";
import { AppError } from "../errors";

// Where a request comes from and which site it is addressed to. Headers a client can write (Origin aside,
// which browsers set) are believed only from proxies the operator declared with TRUST_PROXY.

/**
 * The header in which the web server's own front (server/web.ts) passes on the client's socket address,
 * which Next.js route handlers cannot see. The front overwrites it on every request and says so with
 * `trustClientAddressHeader()`; anywhere else (`next start`, `next dev`) a client could write it, so it is ignored.
 */
export const CLIENT_ADDRESS_HEADER = "x-storemon-client-ip";

const state = globalThis as unknown as { storemonFrontSetsClientAddress?: boolean };

/** Called once by the front that overwrites CLIENT_ADDRESS_HEADER on every request it passes on. */
export function trustClientAddressHeader(): void {
  state.storemonFrontSetsClientAddress = true;
}

/** The values of a comma-separated header, outermost first. */
function listHeader(request: Request, name: string): string[] {
  return (request.headers.get(name) ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * The client's address, for rate limits: with TRUST_PROXY=n, the one the nearest of the n proxies saw (the
 * n-th X-Forwarded-For entry from the right; those to its left are the client's own word); else what the
 * front saw; else "unknown", one bucket for every client.
 */
export function clientAddress(request: Request): string {
  const proxies = env().TRUST_PROXY;
  const forwarded = proxies > 0 ? listHeader(request, "x-forwarded-for") : [];
  const address =
    forwarded[forwarded.length - proxies] ?? (state.storemonFrontSetsClientAddress ? request.headers.get(CLIENT_ADDRESS_HEADER) : null);
  // Bounded: it becomes part of a rate-limit key (255 characters at most).
  return address ? address.slice(0, 100) : "unknown";
}

/**
 * The origin (scheme, host, port) this site is reached at: PUBLIC_URL; else the request's own, from its Host
 * header (plain HTTP, as this server speaks), or with TRUST_PROXY from the proxy's X-Forwarded-Host and -Proto.
 */
export function publicOrigin(request: Request): string {
  const configured = env().PUBLIC_URL;
  if (configured) return configured;
  const trusted = env().TRUST_PROXY > 0;
  const host = (trusted && listHeader(request, "x-forwarded-host")[0]) || request.headers.get("host");
  const scheme = (trusted && listHeader(request, "x-forwarded-proto")[0]) || "http";
  if (!host) return new URL(request.url).origin;
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    throw new AppError("bad_request", 400, "the request's Host header is not a host name");
  }
}

/**
 * Refuses (403) a request another site's page made a browser send: its Origin is not this site's (scheme,
 * host and port), or is "null" or malformed, or its Sec-Fetch-Site says cross-site. A request with neither
 * header comes from a program, not a browser, and passes: it carries no one else's cookies or trust.
 */
export function checkSameSite(request: Request): void {
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  const fromHere =
    (origin === null || originOf(origin) === publicOrigin(request)) && (site === null || site === "same-origin" || site === "none");
  if (!fromHere) throw new AppError("cross_site_request", 403, "requests from other sites may not change data here");
}

/** The origin an Origin header names, or null for "null" and anything malformed. */
function originOf(header: string): string | null {
  try {
    const origin = new URL(header).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}
