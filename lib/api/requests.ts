import type http from "node:http";
import { operations, pathPattern } from "./contract";
import { log, redactUrl } from "../log";
import { metrics } from "../observability/metrics";
import { REQUEST_ID_HEADER, requestIdFor } from "../http/request-id";

// Every request to the web server: its id (lib/http/request-id.ts); one JSON log line when it is answered
// (method, route, path without secrets, status, duration, id); its duration in the metrics, by route and status.

/**
 * The app's routes, ids as :id: the only route names metrics and logs use. The pages are listed here; the API's
 * routes come from its declared operations (lib/api/contract.ts).
 */
const PAGES = [
  "/",
  "/account/keys",
  "/account/password",
  "/account/set-password",
  "/admin/login",
  "/admin/owners",
  "/admin/people",
  "/admin/sign-in",
  "/admin/upload",
  "/alerts",
  "/docs",
  "/reports",
  "/reports/:id",
  "/stores/:id",
  "/team",
  "/icon.svg",
  "/favicon.ico",
];
let routes: [RegExp, string][] | undefined;
const knownRoutes = () =>
  (routes ??= [...new Set([...PAGES, ...Object.values(operations).map((o) => o.path.replace(/\{\w+\}/g, ":id"))])].map((route) => [
    pathPattern(route),
    route,
  ]));

/**
 * A path as a route name, e.g. /api/reports/:id/rows: ids replaced, and anything that is not one of the app's
 * routes "other", so that metrics have one series per route whatever a scanner tries.
 */
export function routeOf(url: string): string {
  const path = url.split("?")[0] || "/";
  if (path.startsWith("/_next/")) return "/_next/*";
  return knownRoutes().find(([pattern]) => pattern.test(path))?.[1] ?? "other";
}

/** Gives a request its id (also on the request, for the routes to carry on) and logs and times it when it ends. */
export function traceRequest(req: http.IncomingMessage, res: http.ServerResponse): string {
  const started = process.hrtime.bigint();
  const id = requestIdFor(req.headers[REQUEST_ID_HEADER]);
  req.headers[REQUEST_ID_HEADER] = id;
  res.setHeader("X-Request-Id", id);
  res.once("close", () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const status = res.headersSent ? res.statusCode : 499; // the client left before any answer
    const route = routeOf(req.url ?? "");
    metrics().httpSeconds.observe({ method: req.method ?? "?", route, status: String(status) }, seconds);
    log().info(
      { requestId: id, method: req.method, route, path: redactUrl(req.url ?? ""), status, ms: Math.round(seconds * 10000) / 10 },
      "request",
    );
  });
  return id;
}
