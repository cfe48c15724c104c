import crypto from "node:crypto";
import PgBoss from "pg-boss";
import type pg from "pg";
import { databaseUrl, env } from "../env";
import { CONNECTION_LIFETIME_SECONDS } from "../db/pool";
import { logConnectionError } from "../db/shutdown";
import { notify } from "../db/notifications";
import {
  ALERT_DELIVERY_QUEUE,
  ALERT_EVALUATE_CRON,
  ALERT_EVALUATE_QUEUE,
  DELIVERY_EXPIRE_SECONDS,
  DELIVERY_RETRIES,
} from "../alerts/queue";

export const REPORT_QUEUE = "report";
export const SHARD_QUEUE = "report-shard";
/** Deletes reports older than REPORT_RETENTION_DAYS; scheduled hourly. */
export const RETENTION_QUEUE = "report-retention";
const RETENTION_CRON = "17 * * * *";

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
  /** The id of the request that triggered the report, for log lines. */
  requestId?: string;
}

const SCHEMA = "pgboss";

/**
 * Creates the queue's schema, its queues and its schedule: once per database, when it is prepared, under
 * the migration lock (see lib/db/prepare.ts). Processes that start together then only use them: pg-boss's
 * createQueue, run by several processes at once on a fresh database, deadlocks.
 */
export async function createQueues(connectionString: string): Promise<void> {
  const boss = new PgBoss({ connectionString, schema: SCHEMA, max: 1, supervise: false, schedule: false });
  boss.on("error", () => {}); // start() and the calls below reject with the same error
  await boss.start();
  try {
    const options = { retryLimit: 3, retryDelay: 1, expireInSeconds: env().REPORT_JOB_EXPIRE_SECONDS };
    for (const name of [REPORT_QUEUE, SHARD_QUEUE]) await boss.createQueue(name, { name, ...options });
    await boss.createQueue(RETENTION_QUEUE, { name: RETENTION_QUEUE, policy: "singleton", retryLimit: 1 });
    await boss.schedule(RETENTION_QUEUE, RETENTION_CRON);
    await boss.createQueue(ALERT_EVALUATE_QUEUE, { name: ALERT_EVALUATE_QUEUE, retryLimit: 1, expireInSeconds: 120 });
    await boss.schedule(ALERT_EVALUATE_QUEUE, ALERT_EVALUATE_CRON);
    // A sending whose worker died is retried once it expires: after the receiver's time-out, not minutes later.
    const delivery = {
      name: ALERT_DELIVERY_QUEUE,
      retryLimit: DELIVERY_RETRIES,
      retryDelay: 2,
      retryBackoff: true,
      expireInSeconds: DELIVERY_EXPIRE_SECONDS,
    };
    await boss.createQueue(ALERT_DELIVERY_QUEUE, delivery);
    await boss.updateQueue(ALERT_DELIVERY_QUEUE, delivery); // a queue made by an earlier version keeps its options otherwise
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

const globalForBoss = globalThis as unknown as { storemonBoss?: Promise<PgBoss> };

/**
 * The queue client of this process. A web server only sends; a worker also supervises (it expires jobs
 * whose worker died, so that they are retried) and keeps the schedule. A start that fails (the database is
 * down) is not remembered: the next call tries again.
 */
export function queue({ supervise = false } = {}): Promise<PgBoss> {
  globalForBoss.storemonBoss ??= (async () => {
    const boss = new PgBoss({
      connectionString: databaseUrl(),
      schema: SCHEMA,
      max: 4,
      migrate: false,
      supervise,
      schedule: supervise,
      maintenanceIntervalSeconds: 30,
      monitorStateIntervalSeconds: 30,
      // The queue's own pool: a connection or statement that hangs is given up on, as in pool().
      connectionTimeoutMillis: 10_000,
      query_timeout: 30_000,
      maxLifetimeSeconds: CONNECTION_LIFETIME_SECONDS,
      application_name: `storemon-queue:${process.pid}`,
    } as PgBoss.ConstructorOptions);
    boss.on("error", (e) => logConnectionError("queue", e));
    await boss.start();
    return boss;
  })().catch((e) => {
    globalForBoss.storemonBoss = undefined;
    throw e;
  });
  return globalForBoss.storemonBoss;
}

export async function stopQueue(): Promise<void> {
  const boss = globalForBoss.storemonBoss;
  globalForBoss.storemonBoss = undefined;
  await (await boss?.catch(() => undefined))?.stop({ graceful: true, wait: true, timeout: 5000 });
}

/** Workers LISTEN here, so that a new job starts at once rather than at their next poll of the queue. */
export const WAKE_CHANNEL = "report_jobs";

/** Queues the computation of a report, inside the caller's transaction when `client` is given. */
export async function sendReportJob(reportId: string, client?: pg.ClientBase): Promise<string | null> {
  const boss = await queue();
  const db = client ? { executeSql: (text: string, values: unknown[]) => client.query(text, values) } : undefined;
  const id = await boss.send(REPORT_QUEUE, { reportId } satisfies ReportJob, db ? { db } : {});
  await notify(WAKE_CHANNEL, "", client); // delivered on commit
  return id;
}

/** Queues a report's shards for whichever workers are free. Returns each shard's job id. */
export async function sendShardJobs(shards: ShardJob[]): Promise<string[]> {
  const boss = await queue();
  const ids = shards.map(() => crypto.randomUUID());
  await boss.insert(shards.map((data, i) => ({ id: ids[i], name: SHARD_QUEUE, data })));
  await notify(WAKE_CHANNEL, "");
  return ids;
}
