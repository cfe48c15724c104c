// npm start: the whole product on one machine. Starts (or joins) the database, applies migrations, loads
// sample data into an empty database, runs a report worker in this process and the web server as a child
// process, so report computation never shares a thread with HTTP. `--dev` runs `next dev` instead.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { env } from "../lib/env";
import { closePool } from "../lib/db/pool";
import { prepareDatabase } from "../lib/db/prepare";
import { startReportWorker } from "../lib/reports/worker";
import { loadSampleIfEmpty } from "../lib/sample-data/seed";

const dev = process.argv.includes("--dev");
const settings = env();
const nextBin = path.resolve("node_modules/next/dist/bin/next");
process.env.NEXT_TELEMETRY_DISABLED = "1";

const database = await prepareDatabase();
console.log(`[start] database ready${settings.DATABASE_URL ? "" : ` (embedded, ${settings.EMBEDDED_PG_DIR}, port ${settings.EMBEDDED_PG_PORT})`}`);

if (settings.SAMPLE_DATA === "on" && (await loadSampleIfEmpty(path.dirname(settings.EMBEDDED_PG_DIR))))
  console.log("[start] empty database: loaded a generated sample (200 stores, 10 days)");

if (!dev && !fs.existsSync(".next/BUILD_ID")) {
  console.log("[start] no production build yet: running next build (once)");
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const stopWorker = await startReportWorker();
const web = spawn(process.execPath, [nextBin, dev ? "dev" : "start", "-p", String(settings.PORT)], {
  stdio: "inherit",
  env: { ...process.env, DATABASE_URL: database.url },
});
console.log(`[start] http://localhost:${settings.PORT}`);

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  web.kill("SIGTERM");
  await stopWorker().catch(() => {});
  await closePool();
  await database.stop();
  process.exit(code);
}
web.on("exit", (code) => shutdown(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => shutdown(0));
