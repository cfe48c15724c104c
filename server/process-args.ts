import path from "node:path";

// How the launcher runs its children, the web server and the report workers: which bundle, with which Node
// flags. The HTTP tests, the benchmarks and the chaos runs start them the same way (scripts/app-processes.ts).

// V8 grows its heap freely when memory is plentiful; these processes need little live memory (a report
// streams its rows in batches), so a bounded heap keeps them small: measured with `npm run bench`. Workers
// allocate a short-lived object per poll: a young generation of 8 MB (not V8's 16) keeps them small at no
// cost in time, while 4 MB cost 20% more time in scavenges. The web server keeps V8's default.
const OLD_SPACE = "--max-old-space-size=128";
// Prisma's query compiler is WebAssembly: V8 compiles it a second time, optimised, once it runs hot, which costs
// each process some 35 MB more resident memory. Its baseline code (Liftoff) serves the ordinary CRUD Prisma does
// here as fast (200 queries: 100 ms against 105 ms); the hot paths are plain SQL.
const WASM = "--liftoff-only";

/** The web server as `npm run build` bundles it (server/web.ts): Next.js behind a fast status front. */
export const WEB_BUNDLE = path.resolve("dist/web.mjs");

/** Node arguments of a web server process listening on `port` (or `next dev`, in development). */
export function webArgs(port: number, dev = false): string[] {
  return dev ? [path.resolve("node_modules/next/dist/bin/next"), "dev", "-p", String(port)] : [OLD_SPACE, WASM, WEB_BUNDLE];
}

/** The worker as `npm run build` bundles it: plain JavaScript starts faster and smaller than through tsx. */
export const WORKER_BUNDLE = path.resolve("dist/worker.mjs");

/** Node arguments of a report worker process: the built bundle, or (in development) the source through tsx. */
export function workerArgs(dev = false): string[] {
  const entry = dev ? ["--import", "tsx", path.resolve("server/worker.ts")] : [WORKER_BUNDLE];
  return [OLD_SPACE, "--max-semi-space-size=8", WASM, ...entry];
}
