// npm start: the whole product on one machine. Starts (or joins) the database, applies migrations, loads
// sample data into an empty database, then runs the web server and WORKERS report worker processes (one
// per core by default), so report computation never shares a thread with HTTP and uses every core.
// Every child, and the embedded PostgreSQL, is started again when it dies (server/supervisor.ts); SIGINT,
// SIGTERM or SIGHUP stops the children, then the database. `--dev` runs `next dev` instead of the build.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "../lib/env";
import { closePool } from "../lib/db/pool";
import { leaveShutdownSignalsToCaller, startEmbeddedPostgres } from "../lib/db/embedded";
import { prepareDatabase } from "../lib/db/prepare";
import { createQueues } from "../lib/jobs/queue";
import { loadSampleIfEmpty } from "../lib/sample-data/seed";
import { webArgs, workerArgs } from "./process-args";
import { SupervisedChild, SupervisedDatabase } from "./supervisor";
import { log, setLogRole } from "../lib/log";

const dev = process.argv.includes("--dev");
setLogRole("start");

/**
 * The sign-in link of a token made for this run: on the terminal, never in the log (whatever collects stdout of
 * a service would keep it); with no terminal, in a file only this user may read. The token is in the link's
 * fragment, which browsers do not send: no server or proxy log sees it either.
 */
function announceSignInLink(link: string) {
  if (process.stdout.isTTY) return void process.stdout.write(`\nNo ADMIN_TOKEN set: admins sign in, for this run, at\n  ${link}\n\n`);
  const file = path.resolve(".data/admin-sign-in-link");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true }); // made anew, so that its mode is 0600 before the token is in it
  fs.writeFileSync(file, `${link}\n`, { mode: 0o600, flag: "wx" });
  log().info({ file }, "no ADMIN_TOKEN set: the admins' sign-in link for this run is in a file only this user may read");
}
const settings = env();

/** The space left to this user on the disk that holds `dir`; undefined when it cannot be told. */
function freeBytes(dir: string): number | undefined {
  try {
    const { bavail, bsize } = fs.statfsSync(dir);
    return bavail * bsize;
  } catch {
    return undefined;
  }
}

const database = await prepareDatabase(createQueues);
const children: SupervisedChild[] = [];
// With DATABASE_URL, or a server another command runs, there is no database of ours to watch.
const embedded = database.embedded?.exited
  ? new SupervisedDatabase(
      database.embedded,
      () => startEmbeddedPostgres(settings.EMBEDDED_PG_DIR, settings.EMBEDDED_PG_PORT),
      { restarted: () => children.forEach((child) => child.restartNowIfWaiting()) },
      () => freeBytes(settings.EMBEDDED_PG_DIR),
    )
  : null;
// Our server is stopped after the children (shutdown), not the moment a signal comes.
if (embedded) leaveShutdownSignalsToCaller();

let stopping = false;
async function shutdown(code: number, reason: string) {
  if (stopping) return;
  stopping = true;
  log().info(`${reason}: stopping the web server and workers${embedded ? ", then PostgreSQL" : ""}`);
  await Promise.all(children.map((child) => child.stop()));
  await (embedded ?? database).stop();
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => shutdown(0, `${signal} received`));

log().info(`database ready${settings.DATABASE_URL ? "" : ` (embedded, ${settings.EMBEDDED_PG_DIR}, port ${settings.EMBEDDED_PG_PORT})`}`);

if (settings.SAMPLE_DATA === "on" && (await loadSampleIfEmpty(path.dirname(settings.EMBEDDED_PG_DIR))))
  log().info("empty database: loaded a generated sample (200 stores, 10 days)");

await closePool();
// Nothing is left open: without a configured token, admins sign in with one made for this run.
const adminToken = settings.ADMIN_TOKEN ?? crypto.randomBytes(24).toString("base64url");
if (!settings.ADMIN_TOKEN) announceSignInLink(`http://localhost:${settings.PORT}/admin/sign-in#token=${adminToken}`);
// The children's settings: this environment, and what was decided here.
const childEnv = {
  ...process.env,
  DATABASE_URL: database.url,
  PORT: String(settings.PORT),
  ADMIN_TOKEN: adminToken,
  NEXT_TELEMETRY_DISABLED: "1",
};
const launch = (args: string[]) => () => spawn(process.execPath, args, { stdio: "inherit", env: childEnv });
children.push(
  new SupervisedChild("web server", launch(webArgs(settings.PORT, dev))),
  ...Array.from({ length: settings.WORKERS }, (_, i) => new SupervisedChild(`worker ${i + 1}`, launch(workerArgs(dev)))),
);
if (!stopping) for (const child of children) child.start();
log().info(`http://localhost:${settings.PORT} with ${settings.WORKERS} report worker process(es)`);
