// Every page Next.js serves carries the security headers and a Content-Security-Policy with a fresh nonce,
// which Next.js reads from the request's own policy header and puts on the scripts it inlines (so pages
// render per request, see app/layout.tsx). The API is left out (see config): its answers carry the same
// headers, with the strictest policy (lib/api/respond.ts).
import { NextResponse, type NextRequest } from "next/server";
import { SECURITY_HEADERS } from "./lib/http/security-headers";

function pagePolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    // React sets style attributes (bar widths); no stylesheet or script can be injected through them.
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = pagePolicy(nonce);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
  if (request.nextUrl.protocol === "https:") response.headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  return response;
}

// Not the API: a proxy makes Next.js read a request's whole body before its route runs (and cut it at 10 MB),
// which uploads and the poll API must not meet.
export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico|api/|get_report|trigger_report).*)" }],
};
