// The production web server: Next.js behind a plain Node HTTP server that answers the report API's reads
// itself. Clients poll GET /get_report; through Next.js's request pipeline it costs ~1.3 ms of CPU here,
// directly ~0.2 ms, which is what keeps status calls fast while report workers keep the cores busy (see
// README, Performance). Downloads (the CSV from /get_report, and /get_report_file/<id>) are served here too,
// so that one piece of code ends a download's database work when its client goes away. The answers come
// from the same functions as the route handlers (lib/api/get-report.ts).
import http from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { getReport, getReportFile } from "../lib/api/get-report";
import { DownloadStalled } from "../lib/api/respond";
import { setDatabaseRole } from "../lib/db/pool";
import { markStopping } from "../lib/db/shutdown";
import { CLIENT_ADDRESS_HEADER, trustClientAddressHeader } from "../lib/auth/request-origin";

setDatabaseRole("web");
const port = Number(process.env.PORT ?? 3000);
(process.env as Record<string, string>).NODE_ENV = "production";
const { default: next } = await import("next");
const app = next({ dev: false, port });
const handle = app.getRequestHandler();
await app.prepare();

type Route = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** The routes this front answers: GET only, the path's pattern, its handler (named groups are its params). */
const ROUTES: [RegExp, Route][] = [
  [/^\/get_report(\?|$)/, getReport],
  [/^\/get_report_file\/(?<id>[^/?]+)(\?|$)/, getReportFile as Route],
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
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, { headers, signal });
  const response = await route(request, { params: Promise.resolve(params) });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  // A status answer is a few bytes of JSON: written at once; a CSV is streamed. pipeline, unlike pipe,
  // destroys the source when the client goes away, which ends its COPY and frees its connection; a client
  // that stops reading is dropped by the source itself (see webStream in lib/api/respond.ts).
  if (!response.body) res.end();
  else if (response.headers.get("content-type")?.startsWith("application/json")) res.end(Buffer.from(await response.arrayBuffer()));
  else {
    const body = Readable.fromWeb(response.body as NodeReadableStream);
    // A stalled client is reset, not closed: a close would queue its FIN behind the data its full window
    // does not take, leaving the socket and its buffers to the kernel for minutes.
    body.once("error", (e) => e instanceof DownloadStalled && res.socket?.resetAndDestroy());
    await pipeline(body, res);
  }
}

/** A download that ended because its client left or stalled: expected, not worth a log line. */
const clientEnded = (e: unknown) => (e as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE" || e instanceof DownloadStalled;

// The client's address, for rate limits: set here from the socket on every request, so no client can forge it.
trustClientAddressHeader();

const server = http.createServer((req, res) => {
  req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? "unknown";
  const path = req.url ?? "";
  for (const [pattern, route] of req.method === "GET" ? ROUTES : []) {
    const match = pattern.exec(path);
    if (!match) continue;
    answer(req, res, route, { ...match.groups }).catch((e) => {
      if (!clientEnded(e)) console.error(e);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
    return;
  }
  void handle(req, res);
});
server.listen(port, () => console.log(`[web] ready on http://localhost:${port}`));
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    markStopping();
    server.close(() => process.exit(0));
  });
