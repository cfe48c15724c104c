import crypto from "node:crypto";

// Every request to the web server has an id (the caller's X-Request-Id when well-formed, else a new one),
// returned in X-Request-Id and in error bodies and carried into report jobs.

export const REQUEST_ID_HEADER = "x-request-id";
/** What an id may be: short, printable, no spaces or quotes, so that it can go into logs as it is. */
const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The caller's id when it is well-formed, else a new one. An id correlates; it grants nothing. */
export function requestIdFor(sent: string | string[] | undefined): string {
  return typeof sent === "string" && WELL_FORMED.test(sent) ? sent : crypto.randomUUID();
}

/** The request id a route handler's request carries (set by the web server's front), or undefined. */
export function requestIdOf(request: Request): string | undefined {
  const id = request.headers.get(REQUEST_ID_HEADER);
  return id && WELL_FORMED.test(id) ? id : undefined;
}
