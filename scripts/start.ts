// npm start: the whole product on one machine. Starts (or joins) the database, applies migrations, loads
// sample data into an empty database, then runs the web server and WORKERS report worker processes (one
// per core by default), so report computation never shares a thread with HTTP and uses every core.
// `--dev` runs `next dev` instead of the production build.
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "../lib/env";
import { closePool } from "../lib/db/pool";
import { prepareDatabase } from "../lib/db/prepare";
import { loadSampleIfEmpty } from "../lib/sample-data/seed";
import { WEB_BUNDLE, WORKER_BUNDLE, webArgs, workerArgs } from "./app-processes";

const dev = process.argv.includes("--dev");
const settings = env();
process.env.NEXT_TELEMETRY_DISABLED = "1";

const database = await prepareDatabase();
console.log(`[start] database ready${settings.DATABASE_URL ? "" : ` (embedded, ${settings.EMBEDDED_PG_DIR}, port ${settings.EMBEDDED_PG_PORT})`}`);

if (settings.SAMPLE_DATA === "on" && (await loadSampleIfEmpty(path.dirname(settings.EMBEDDED_PG_DIR))))
  console.log("[start] empty database: loaded a generated sample (200 stores, 10 days)");

if (!dev && [".next/BUILD_ID", WORKER_BUNDLE, WEB_BUNDLE].some((file) => !fs.existsSync(file))) {
  console.log("[start] no production build yet: running npm run build (once; run it again after changing the code)");
  const build = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

await closePool();
if (!settings.ADMIN_TOKEN) {
  // Nothing is left open: without a configured token, admins sign in with one made for this run.
  process.env.ADMIN_TOKEN = crypto.randomBytes(24).toString("base64url");
  console.log(`[start] no ADMIN_TOKEN set; admins sign in at http://localhost:${settings.PORT}/admin/login?token=${process.env.ADMIN_TOKEN}`);
}
const childEnv = { ...process.env, DATABASE_URL: database.url, PORT: String(settings.PORT) };
const web = spawn(process.execPath, webArgs(settings.PORT, dev), { stdio: "inherit", env: childEnv });
const workers = Array.from({ length: settings.WORKERS }, () => spawn(process.execPath, workerArgs(dev), { stdio: "inherit", env: childEnv }));
console.log(`[start] http://localhost:${settings.PORT} with ${workers.length} report worker process(es)`);

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  const children = [web, ...workers].filter((c) => c.exitCode === null);
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((c) => new Promise((resolve) => c.once("exit", resolve))));
  await database.stop();
  process.exit(code);
}
web.on("exit", (code) => shutdown(code ?? 0));
for (const worker of workers) worker.on("exit", (code) => !stopping && shutdown(code ?? 1));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => shutdown(0));
