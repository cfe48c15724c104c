// What the chaos scenarios share: a PostgreSQL of their own that they can stop, start and freeze; generated
// data loaded into a fresh database; the real launcher (`npm start`) as a child process, with its web server
// and workers found in its process tree; and the report API as a client sees it.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { env } from "../../lib/env";
import { startEmbeddedPostgres, type EmbeddedServer } from "../../lib/db/embedded";
import { closePool } from "../../lib/db/pool";
import { withDatabase } from "../../lib/db/prepare";
import { freePort } from "../app-processes";
import { generatedDatabase } from "../bench-data";
import { appProcesses, descendants, isAlive } from "../process-tree";

/** One line of the results table: a check of a scenario, its figure, and whether it passed. */
export interface Check {
  check: string;
  figure: string;
  ok: boolean;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Polls `check` every 50 ms until it returns something (not undefined or false); null after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) return null;
    await sleep(50);
  }
}

/** The PostgreSQL the scenarios run against, on its own port and data directory, under their control. */
export class ChaosDatabase {
  private constructor(private server: EmbeddedServer) {}

  static readonly dir = ".data/chaos-postgres";
  static readonly port = env().EMBEDDED_PG_PORT + 3; // tests use +1 and +2

  static async start(): Promise<ChaosDatabase> {
    return new ChaosDatabase(await ChaosDatabase.startServer());
  }

  private static async startServer(): Promise<EmbeddedServer> {
    const server = await startEmbeddedPostgres(ChaosDatabase.dir, ChaosDatabase.port);
    if (!server.exited)
      throw new Error(`something else already listens on port ${ChaosDatabase.port}; the chaos scenarios need a PostgreSQL of their own`);
    return server;
  }

  get adminUrl(): string {
    return this.server.adminUrl;
  }

  /** A fast shutdown (SIGINT to the postmaster), as an operator's `pg_ctl stop` does. */
  async stop(): Promise<void> {
    await this.server.stop();
  }

  async restart(): Promise<void> {
    this.server = await ChaosDatabase.startServer();
  }

  /** SIGSTOP (or SIGCONT) to the postmaster and every process it runs: a server that hangs without dying. */
  signalAll(signal: "SIGSTOP" | "SIGCONT"): void {
    const pid = this.server.pid!;
    for (const p of [pid, ...descendants(pid).map((d) => d.pid)]) process.kill(p, signal);
  }

  /** Runs `sql` on `database` over a connection of its own. */
  query<R extends pg.QueryResultRow>(database: string, sql: string, values: unknown[] = []): Promise<R[]> {
    return queryOnce<R>(withDatabase(this.adminUrl, database), sql, values);
  }
}

/** Runs `sql` on the database at `url` over a connection of its own, made for it (within `connectMs`, if given) and closed after. */
export async function queryOnce<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
  connectMs?: number,
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectMs });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh database `name` on `db` holding generated data (4,500 stores x 17 days, kept in bench/data/ as the bench keeps it). */
export async function loadedDatabase(db: ChaosDatabase, name: string, stores = 4500, days = 17): Promise<string> {
  const { url } = await generatedDatabase(db.adminUrl, name, { stores, days, actor: "chaos" });
  await closePool();
  return url;
}

/** Where each launcher's output is kept, to read after a run. */
export const LOG_DIR = ".data/chaos-logs";

/** `npm start`, the real launcher, against `databaseUrl`, in a process group of its own; its output goes to LOG_DIR/<name>.log. */
export class Launcher {
  output = "";
  /** Sent as the Authorization header of every request (the app then runs with keys: API_KEYS). */
  authorization: string | undefined;
  private constructor(
    private readonly npm: ChildProcess,
    readonly baseUrl: string,
    name: string,
  ) {
    fs.mkdirSync(LOG_DIR, { recursive: true });
    const log = fs.createWriteStream(path.join(LOG_DIR, `${name}.log`));
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString();
      log.write(chunk);
    };
    npm.stdout!.on("data", keep);
    npm.stderr!.on("data", keep);
  }

  /** `databaseUrl` null: the launcher runs an embedded PostgreSQL of its own (EMBEDDED_PG_DIR and _PORT in `env`). */
  static async start(name: string, databaseUrl: string | null, workers = 2, env: Record<string, string> = {}): Promise<Launcher> {
    const port = await freePort();
    const { DATABASE_URL: _ours, ...inherited } = process.env;
    const npm = spawn("npm", ["start"], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...inherited,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        PORT: String(port),
        WORKERS: String(workers),
        SAMPLE_DATA: "off",
        ADMIN_TOKEN: "token-of-the-chaos-scenarios",
        ...env,
      },
    });
    return new Launcher(npm, `http://127.0.0.1:${port}`, name);
  }

  web(): number | undefined {
    return appProcesses(this.npm.pid!, "web")[0];
  }

  workers(): number[] {
    return appProcesses(this.npm.pid!, "worker");
  }

  /** Times the launcher restarted a child. */
  restarts(): number {
    return this.output.match(/"msg":"[^"]* restarting in /g)?.length ?? 0;
  }

  /** Milliseconds until the web server answers /api/health and every worker takes jobs; null if not within `timeoutMs`. */
  async ready(workers: number, timeoutMs = 60_000): Promise<number | null> {
    const started = Date.now();
    const up = await waitFor(async () => {
      const taking = new Set(this.output.match(/worker \d+ taking report jobs/g) ?? []).size;
      return (
        taking >= workers &&
        (await this.request("/api/health").then(
          (r) => r.status === 200,
          () => false,
        ))
      );
    }, timeoutMs);
    return up ? Date.now() - started : null;
  }

  request(p: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.authorization && !headers.has("authorization")) headers.set("authorization", this.authorization);
    return fetch(`${this.baseUrl}${p}`, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
  }

  async trigger(): Promise<string> {
    const response = await this.request("/trigger_report", { method: "POST" });
    if (response.status !== 202) throw new Error(`POST /trigger_report answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { report_id: string }).report_id;
  }

  /** Polls the report until Complete or Failed (status calls that fail meanwhile are retried). */
  async finished(id: string, timeoutMs = 120_000): Promise<{ status: string; error?: string } | null> {
    return waitFor(async () => {
      const body = await this.request(`/get_report?report_id=${id}`).then(
        (r) => (r.ok ? r.json() : undefined),
        () => undefined,
      );
      return body && (body.status === "Complete" || body.status === "Failed") ? (body as { status: string; error?: string }) : undefined;
    }, timeoutMs);
  }

  async csv(id: string): Promise<Buffer> {
    const response = await this.request(`/get_report_file/${id}`, {}, 60_000);
    if (response.status !== 200) throw new Error(`GET /get_report_file/${id} answered ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /**
   * SIGTERM to the launcher's process group, as a terminal's Ctrl-C or a service manager does; returns the
   * milliseconds until every process of it is gone, or null after 10 s (then they are killed).
   */
  async stop(): Promise<number | null> {
    const all = [this.npm.pid!, ...descendants(this.npm.pid!).map((p) => p.pid)];
    const started = Date.now();
    this.signal("SIGTERM");
    const gone = await waitFor(() => all.every((pid) => !isAlive(pid)), 10_000);
    if (!gone) this.signal("SIGKILL");
    return gone ? Date.now() - started : null;
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.npm.pid!, signal);
    } catch {
      // the group is gone already
    }
  }
}

/**
 * Calls GET /get_report for `id` every 100 ms until stopped; returns the calls that got no 200 (with when)
 * and, for each failure spell, how long it lasted.
 */
export function watchStatusCalls(app: Launcher, id: string): () => Promise<{ calls: number; failures: number[]; longestOutageMs: number }> {
  let watching = true;
  const failures: number[] = [];
  let calls = 0;
  let longestOutageMs = 0;
  let outageSince: number | null = null;
  const done = (async () => {
    while (watching) {
      const at = Date.now();
      const ok = await app.request(`/get_report?report_id=${id}`, {}, 5_000).then(
        (r) => r.status === 200,
        () => false,
      );
      calls++;
      if (!ok) {
        failures.push(at);
        outageSince ??= at;
      } else if (outageSince !== null) {
        longestOutageMs = Math.max(longestOutageMs, Date.now() - outageSince);
        outageSince = null;
      }
      await sleep(100);
    }
  })();
  return async () => {
    watching = false;
    await done;
    if (outageSince !== null) longestOutageMs = Math.max(longestOutageMs, Date.now() - outageSince);
    return { calls, failures, longestOutageMs };
  };
}
