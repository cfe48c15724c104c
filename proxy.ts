// Every response Next.js gives carries the security headers. Pages get a Content-Security-Policy with a fresh
// nonce, which Next.js reads from the request's own policy header and puts on the scripts it inlines (so pages
// render per request, see app/layout.tsx); anything else is never a document and gets the strictest policy.
import { NextResponse, type NextRequest } from "next/server";
import { API_CSP, SECURITY_HEADERS } from "./lib/http/security-headers";

const NOT_PAGES = /^\/(api|get_report|get_report_file|trigger_report)(\/|$)/;

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
  const page = !NOT_PAGES.test(request.nextUrl.pathname);
  const nonce = page ? Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64") : "";
  const policy = page ? pagePolicy(nonce) : API_CSP;
  const requestHeaders = new Headers(request.headers);
  if (page) {
    requestHeaders.set("x-nonce", nonce);
    requestHeaders.set("Content-Security-Policy", policy);
  }
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
  if (request.nextUrl.protocol === "https:") response.headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  return response;
}

export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico).*)" }],
};
