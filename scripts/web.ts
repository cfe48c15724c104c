// The production web server: Next.js behind a plain Node HTTP server that answers GET /get_report itself.
// Clients poll that call; through Next.js's request pipeline it costs ~1.3 ms of CPU here, directly ~0.2 ms,
// which is what keeps status calls fast while report workers keep the cores busy (see README, Performance).
// The answer comes from the same function as the route handler (lib/api/get-report.ts).
import http from "node:http";
import { Readable } from "node:stream";
import { getReport } from "../lib/api/get-report";
import { setDatabaseRole } from "../lib/db/pool";
import { markStopping } from "../lib/db/shutdown";

setDatabaseRole("web");
const port = Number(process.env.PORT ?? 3000);
(process.env as Record<string, string>).NODE_ENV = "production";
const { default: next } = await import("next");
const app = next({ dev: false, port });
const handle = app.getRequestHandler();
await app.prepare();

async function answer(req: http.IncomingMessage, res: http.ServerResponse, route: (request: Request, context: unknown) => Promise<Response>) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const response = await route(new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, { headers }), undefined);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  // A status answer is a few bytes of JSON: written at once; a CSV is streamed.
  if (!response.body) res.end();
  else if (response.headers.get("content-type")?.startsWith("application/json")) res.end(Buffer.from(await response.arrayBuffer()));
  else Readable.fromWeb(response.body as import("node:stream/web").ReadableStream).pipe(res);
}

const server = http.createServer((req, res) => {
  if (req.method === "GET" && /^\/get_report(\?|$)/.test(req.url ?? "")) {
    answer(req, res, getReport).catch((e) => {
      console.error(e);
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
