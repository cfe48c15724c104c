import crypto from "node:crypto";
import PgBoss from "pg-boss";
import pg from "pg";
import { databaseUrl, env } from "../env";
import { pool } from "../db/pool";
import { logConnectionError } from "../db/shutdown";

export const REPORT_QUEUE = "report";
export const SHARD_QUEUE = "report-shard";

export interface ReportJob {
  reportId: string;
}

/** A slice of a report's stores, computed in the snapshot the report's run exported. */
export interface ShardJob {
  reportId: string;
  attempt: number;
  /** The report's "now", epoch microseconds. */
  now: number;
  snapshot: string;
  storeIds: string[];
}

const globalForBoss = globalThis as unknown as { storemonBoss?: Promise<PgBoss> };

/**
 * The queue client of this process. A web server only sends (no maintenance); a worker also supervises:
 * it expires jobs whose worker died, so that they are retried.
 */
export function queue({ supervise = false } = {}): Promise<PgBoss> {
  globalForBoss.storemonBoss ??= (async () => {
    const boss = new PgBoss({
      connectionString: databaseUrl(),
      schema: "pgboss",
      max: 4,
      supervise,
      schedule: false,
      maintenanceIntervalSeconds: 30,
      monitorStateIntervalSeconds: 30,
    });
    boss.on("error", (e) => logConnectionError("[queue]", e));
    await boss.start();
    for (const name of [REPORT_QUEUE, SHARD_QUEUE])
      await boss.createQueue(name, { name, retryLimit: 3, retryDelay: 1, expireInSeconds: env().REPORT_JOB_EXPIRE_SECONDS });
    return boss;
  })();
  return globalForBoss.storemonBoss;
}

export async function stopQueue(): Promise<void> {
  const boss = globalForBoss.storemonBoss;
  globalForBoss.storemonBoss = undefined;
  await (await boss)?.stop({ graceful: true, wait: true, timeout: 5000 });
}

/** Workers LISTEN here, so that a new job starts at once rather than at their next poll of the queue. */
const WAKE_CHANNEL = "report_jobs";

/** Queues the computation of a report, inside the caller's transaction when `client` is given. */
export async function sendReportJob(reportId: string, client?: pg.ClientBase): Promise<string | null> {
  const boss = await queue();
  const db = client ? { executeSql: (text: string, values: unknown[]) => client.query(text, values) } : undefined;
  const id = await boss.send(REPORT_QUEUE, { reportId } satisfies ReportJob, db ? { db } : {});
  await (client ?? pool()).query("SELECT pg_notify($1, '')", [WAKE_CHANNEL]); // delivered on commit
  return id;
}

/** Queues a report's shards for whichever workers are free. Returns each shard's job id. */
export async function sendShardJobs(shards: ShardJob[]): Promise<string[]> {
  const boss = await queue();
  const ids = shards.map(() => crypto.randomUUID());
  await boss.insert(shards.map((data, i) => ({ id: ids[i], name: SHARD_QUEUE, data })));
  await pool().query("SELECT pg_notify($1, '')", [WAKE_CHANNEL]);
  return ids;
}

/** Calls `wake` whenever a report job is queued anywhere. Returns a function that stops listening. */
export async function onReportJobQueued(wake: () => void): Promise<() => Promise<void>> {
  const listener = new pg.Client({ connectionString: databaseUrl() });
  listener.on("notification", wake);
  // Without the listener, workers still find jobs by polling; a lost connection only costs latency.
  listener.on("error", (e) => logConnectionError("[queue] job notifications stopped:", e));
  await listener.connect();
  await listener.query(`LISTEN ${WAKE_CHANNEL}`);
  return () => listener.end();
}
