// Headers every response carries, whoever answers it (Next.js, or the plain front in server/web.ts).
// Pages get their own Content-Security-Policy with a nonce (see proxy.ts); anything else (JSON, CSV) is never
// a document to render, so it gets the strictest one.

export const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** The policy of responses that are not pages: nothing may load, nothing may frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Headers of every JSON and CSV answer, whoever serves it (Next.js, or the front in server/web.ts). */
export const API_HEADERS: Record<string, string> = { "Cache-Control": "no-store", ...SECURITY_HEADERS, "Content-Security-Policy": API_CSP };
