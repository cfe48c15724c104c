import crypto from "node:crypto";
import PgBoss from "pg-boss";
import type pg from "pg";
import { databaseUrl } from "../db/url";
import { CONNECTION_LIFETIME_SECONDS } from "../db/pool";
import { logConnectionError } from "../db/shutdown";
import { notify } from "../db/notifications";
import { queueTable, type JobData, type QueueName } from "./queues";

const SCHEMA = "pgboss";

/**
 * Creates the queue's schema, its queues and their schedules: once per database, when it is prepared, under
 * the migration lock (prepareDatabase is handed this). Processes that start together then only use them:
 * pg-boss's createQueue, run by several processes at once on a fresh database, deadlocks.
 */
export async function createQueues(connectionString: string): Promise<void> {
  const boss = new PgBoss({ connectionString, schema: SCHEMA, max: 1, supervise: false, schedule: false });
  boss.on("error", () => {}); // start() and the calls below reject with the same error
  await boss.start();
  try {
    for (const { name, options, cron, update } of queueTable()) {
      await boss.createQueue(name, { name, ...options });
      if (update) await boss.updateQueue(name, { name, ...options }); // a queue made by an earlier version keeps its options otherwise
      if (cron) await boss.schedule(name, cron);
    }
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

/** Workers LISTEN here, so that a new job of a waking queue starts at once rather than at their next poll. */
export const WAKE_CHANNEL = "report_jobs";

const wakes = (name: QueueName) => queueTable().find((q) => q.name === name)?.wake === true;

/**
 * Queues a job, inside the caller's transaction when `client` is given (sent only if it commits); workers of
 * a waking queue are woken (on commit). Returns the job's id.
 */
export async function sendJob<Q extends QueueName>(
  name: Q,
  data: JobData[Q],
  client?: pg.ClientBase,
  options: PgBoss.SendOptions = {},
): Promise<string | null> {
  const boss = await queue();
  const db = client ? { executeSql: (text: string, values: unknown[]) => client.query(text, values) } : undefined;
  const id = await boss.send(name, data ?? {}, db ? { ...options, db } : options);
  if (wakes(name)) await notify(WAKE_CHANNEL, "", client);
  return id;
}

/** Queues many jobs at once, for whichever workers are free. Returns each job's id. */
export async function sendJobs<Q extends QueueName>(name: Q, items: JobData[Q][]): Promise<string[]> {
  const boss = await queue();
  const ids = items.map(() => crypto.randomUUID());
  await boss.insert(items.map((data, i) => ({ id: ids[i], name, data: data ?? {} })));
  if (wakes(name)) await notify(WAKE_CHANNEL, "");
  return ids;
}

/** A job of this queue by its id, finished ones too; null when the queue no longer has it. */
export async function findJob<Q extends QueueName>(name: Q, id: string): Promise<PgBoss.JobWithMetadata<JobData[Q]> | null> {
  return (await queue()).getJobById<JobData[Q]>(name, id, { includeArchive: true });
}
