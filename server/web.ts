// The production web server: Next.js behind a plain Node HTTP server that answers the report API's reads
// itself. Clients poll GET /get_report; through Next.js's request pipeline it costs ~1.3 ms of CPU here,
// directly ~0.2 ms, which is what keeps status calls fast while report workers keep the cores busy (see
// README, Performance). Downloads (the CSV from /get_report, and /get_report_file/<id>) are served here too,
// so that one piece of code ends a download's database work when its client goes away. The answers come
// from the same functions as the route handlers (lib/reports/api.ts). Before anything else, the front
// refuses what no route should see: a malformed Host or path (400), a body over its route's limit (413, unread),
// sockets past the connection cap, bodies that trickle, requests whose headers never come
// (lib/http/connection-limits.ts, lib/api/body.ts).
import http from "node:http";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { frontBodyRefusal } from "../lib/api/body";
import { declaredBodyLimit } from "../lib/api/contract";
import { getReport, getReportFile } from "../lib/reports/api";
import { postPolls } from "../lib/uploads/polls-api";
import { DownloadStalled, json } from "../lib/api/respond";
import { setDatabaseRole } from "../lib/db/pool";
import { markStopping } from "../lib/db/shutdown";
import { CLIENT_ADDRESS_HEADER, trustClientAddressHeader } from "../lib/auth/request-origin";
import { env, runNextAsBuilt } from "../lib/env";
import { errorMessage, log, setLogRole } from "../lib/log";
import { traceRequest } from "../lib/api/requests";
import { REQUEST_ID_HEADER, requestIdFor } from "../lib/http/request-id";
import { AppError } from "../lib/errors";
import { errorBody } from "../lib/api/error-body";
import { defaultMaxConnections, limitBodyRate, limitConnections, validHost, validPath } from "../lib/http/connection-limits";
import { metricsResponse, publishMetrics } from "../lib/observability/publish";

setDatabaseRole("web");
setLogRole("web");
const settings = env();
const port = settings.PORT;
runNextAsBuilt();
const { default: next } = await import("next");
const app = next({ dev: false, port });
const handle = app.getRequestHandler();
await app.prepare();

type Route = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/**
 * The routes this front answers: method, the path's pattern, its handler (named groups are its params).
 * Pollers' pushes come here too: Next.js's proxy step reads a whole body (up to 10 MB) before its route
 * can refuse it; here the route reads it as it arrives, within its limits.
 */
const ROUTES: [string, RegExp, Route][] = [
  ["GET", /^\/get_report(\?|$)/, getReport],
  ["GET", /^\/get_report_file\/(?<id>[^/?]+)(\?|$)/, getReportFile as Route],
  ["POST", /^\/api\/polls(\?|$)/, postPolls],
];

async function answer(req: http.IncomingMessage, res: http.ServerResponse, route: Route, params: Record<string, string>) {
  // The request's signal tells a download still waiting for a database connection that its client left.
  // Only a download gets one: a Request with a signal costs a status call a quarter more CPU.
  let signal: AbortSignal | undefined;
  if (route === getReportFile || /[?&]format=csv/.test(req.url ?? "") || req.headers.accept?.includes("text/csv")) {
    const gone = new AbortController();
    res.on("close", () => res.writableFinished || gone.abort());
    signal = gone.signal;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const url = `http://${req.headers.host ?? "localhost"}${req.url}`;
  const request = new Request(url, { method: req.method, headers, signal, body: bodyOf(req), duplex: "half" } as RequestInit);
  await send(req, res, await route(request, { params: Promise.resolve(params) }));
}

/**
 * A request's body as a web stream, through a PassThrough: a route that stops reading part-way (a refused
 * body) cancels the PassThrough, not the request, whose connection must still carry the answer.
 */
function bodyOf(req: http.IncomingMessage): ReadableStream<Uint8Array> | undefined {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  const body = req.pipe(new PassThrough());
  req.once("close", () => req.complete || body.destroy(new Error("the client went away before sending the whole body")));
  return Readable.toWeb(body) as ReadableStream<Uint8Array>;
}

/** Writes a web Response (its headers already carry the security headers, see lib/api/respond.ts). */
async function send(req: http.IncomingMessage, res: http.ServerResponse, response: Response) {
  // A status answer or an error is a few bytes of JSON: written at once; a CSV is streamed.
  if (!response.body || response.headers.get("content-type")?.startsWith("application/json")) {
    const text = Buffer.from(await response.arrayBuffer());
    if (req.complete) return void res.writeHead(response.status, Object.fromEntries(response.headers)).end(text);
    // An answer before the whole body has come (a refusal): the connection is closed after it, and what the
    // client is still sending is read and dropped for a moment (never kept) so that it reads this answer
    // rather than a connection reset.
    res.writeHead(response.status, { ...Object.fromEntries(response.headers), "Content-Length": text.length, Connection: "close" });
    res.write(text);
    const close = () => res.end();
    const linger = setTimeout(close, REFUSED_BODY_LINGER_MS);
    req.once("end", () => (clearTimeout(linger), close()));
    req.resume();
    return;
  }
  // pipeline, unlike pipe, destroys the source when the client goes away, which ends its COPY and frees
  // its connection; a client that stops reading is dropped by the source itself (see webStream in
  // lib/api/respond.ts).
  res.writeHead(response.status, Object.fromEntries(response.headers));
  const body = Readable.fromWeb(response.body as NodeReadableStream);
  // A stalled client is reset, not closed: a close would queue its FIN behind the data its full window
  // does not take, leaving the socket and its buffers to the kernel for minutes.
  body.once("error", (e) => e instanceof DownloadStalled && res.socket?.resetAndDestroy());
  await pipeline(body, res);
}
const REFUSED_BODY_LINGER_MS = 2000;

/** Answers with an error in the one shape: a refusal before any route saw the request, or a route's failure. */
function refuse(req: http.IncomingMessage, res: http.ServerResponse, error: unknown) {
  const { status, body, headers } = errorBody(error, requestIdFor(req.headers[REQUEST_ID_HEADER])); // logs what it does not expect
  void send(req, res, json(body, status, headers));
}

/** A download that ended because its client left or stalled: expected, not worth a log line. */
const clientEnded = (e: unknown) => (e as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE" || e instanceof DownloadStalled;

// The client's address, for rate limits: set here from the socket on every request, so no client can forge it.
trustClientAddressHeader();

const requestTimeout = settings.WEB_REQUEST_TIMEOUT_SECONDS * 1000;
const server = http.createServer(
  {
    headersTimeout: Math.min(settings.WEB_HEADERS_TIMEOUT_SECONDS * 1000, requestTimeout || Infinity),
    requestTimeout,
    keepAliveTimeout: settings.WEB_KEEP_ALIVE_SECONDS * 1000,
    // How often Node looks for requests past those timeouts (its default, 30 s, would let idle sockets pile up).
    connectionsCheckingInterval: Math.min(1000, settings.WEB_HEADERS_TIMEOUT_SECONDS * 250),
  },
  (req, res) => {
    traceRequest(req, res);
    req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? "unknown";
    if (!validHost(req.headers.host))
      return refuse(req, res, new AppError("invalid_host", 400, "the Host header is not a host name or address with an optional port"));
    const path = req.url ?? "";
    const pathname = path.split("?")[0]!;
    if (!validPath(pathname))
      return refuse(req, res, new AppError("invalid_path", 400, `the path ${JSON.stringify(pathname)} has %-escapes that are not UTF-8`));
    const refusal = frontBodyRefusal(req.headers, declaredBodyLimit(pathname));
    if (refusal) return refuse(req, res, refusal);
    dispatch(req, res, path);
  },
);
limitConnections(server, {
  max: settings.WEB_MAX_CONNECTIONS ?? defaultMaxConnections(),
  silentMs: settings.WEB_HEADERS_TIMEOUT_SECONDS * 1000,
});
limitBodyRate(server, { minRate: settings.WEB_BODY_MIN_RATE, windowMs: settings.WEB_BODY_RATE_WINDOW_SECONDS * 1000 });

/** The ROUTES are answered here; everything else by Next.js. */
function dispatch(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
  for (const [method, pattern, route] of ROUTES) {
    if (req.method !== method) continue;
    const match = pattern.exec(path);
    if (!match) continue;
    answer(req, res, route, { ...match.groups }).catch((e) => {
      if (!res.headersSent) return refuse(req, res, e);
      if (!clientEnded(e)) log().error({ err: errorMessage(e), requestId: req.headers[REQUEST_ID_HEADER] }, "answer failed");
      res.destroy();
    });
    return;
  }
  void handle(req, res);
}
server.listen(port, () => log().info({ port }, `web server ready on http://localhost:${port}`));
const stopPublishing = publishMetrics("web");
// With METRICS_PORT, /metrics is also answered there, without credentials (for a scraper on an internal network).
const metricsServer = settings.METRICS_PORT
  ? http
      .createServer((req, res) => {
        if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") return void res.writeHead(404).end();
        metricsResponse()
          .then(
            (response) => send(req, res, response),
            (e) => refuse(req, res, e),
          )
          .catch(() => res.destroy()); // the scraper left
      })
      .on("error", (e) =>
        log().error(
          { err: errorMessage(e), port: settings.METRICS_PORT },
          "the metrics port could not be opened; /metrics stays on the main port",
        ),
      )
      .listen(settings.METRICS_PORT, settings.METRICS_HOST, () =>
        log().info(
          { port: settings.METRICS_PORT, host: settings.METRICS_HOST },
          `metrics on http://${settings.METRICS_HOST}:${settings.METRICS_PORT}/metrics`,
        ),
      )
  : null;
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    markStopping();
    metricsServer?.close();
    // No new connections from now; once the open ones are done, the metrics row goes (waited for a second at most).
    server.close(() => void stopPublishing().finally(() => process.exit(0)));
  });
