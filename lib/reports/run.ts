import type pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import { env } from "../env";
import { CopyIn } from "../db/copy";
import { pool } from "../db/pool";
import { FIGURE_KEYS, REPORT_COLUMNS, reportFigures, storeTimeline, WINDOWS, ZoneClocks } from "../uptime";
import { queue, sendShardJobs, SHARD_QUEUE, type ShardJob } from "./queue";
import { loadStoreData, storesPolledBy, toEpochUs } from "./store-data";

export type RunOutcome = "completed" | "failed" | "already-finished" | "running-elsewhere" | "unknown";

/** A key for the session advisory lock that marks a report as being computed by some connection. */
export const REPORT_LOCK_SQL = "hashtextextended('report:' || $1, 0)";

/**
 * A key for the transaction advisory lock held by the connection computing a shard (one attempt's shard,
 * named by its first store): the lock goes with the transaction, or with the connection of a worker that died.
 */
export const SHARD_LOCK_SQL = "hashtextextended('report-shard:' || $1 || ':' || $2 || ':' || $3, 0)";

/** How long a shard job may be taken without its lock being held before the run takes the shard over. */
const SHARD_TAKEN_GRACE_MS = 2000;

/** The six figure columns of report_rows. */
export const FIGURE_COLUMNS = REPORT_COLUMNS.slice(1);

export interface RunOptions {
  /**
   * Hand the shards to the queue, so that every worker process shares the report (workers do); otherwise
   * compute them here, one after the other (`npm run report`, tests).
   */
  shardViaQueue?: boolean;
  /** Called after each batch of stores is computed (tests use it to change data mid-run). */
  afterBatch?: () => Promise<void>;
}

async function markFailed(reportId: string, attempt: number, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`[report ${reportId}] failed:`, error);
  await pool().query(
    `UPDATE reports SET status = 'Failed', finished_at = now(), error = $3 WHERE id = $1 AND attempts = $2 AND status = 'Running'`,
    [reportId, attempt, message],
  );
}

/**
 * Computes a report and stores its rows: the job behind every report. The run holds an advisory lock on
 * the report, so that no two processes run it at once (the lock dies with its connection, so a crashed run
 * can be taken up again), and reads one repeatable-read snapshot, so that polls loaded meanwhile do not
 * change the result. It lists the stores and cuts them into shards; with `shardViaQueue` the shards are
 * queue jobs that any worker process takes, each importing the run's snapshot; the run waits for them.
 */
export async function runReport(reportId: string, options: RunOptions = {}): Promise<RunOutcome> {
  const reader = await pool().connect();
  try {
    const { rows: lock } = await reader.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${REPORT_LOCK_SQL}) AS ok`, [reportId]);
    if (!lock[0]!.ok) return "running-elsewhere";
    try {
      const { rows } = await reader.query<{ now: number; attempt: number }>(
        `UPDATE reports SET status = 'Running', started_at = now(), attempts = attempts + 1, stores_done = 0, shards_done = 0, error = NULL
         WHERE id = $1 AND status IN ('Queued', 'Running') RETURNING ${toEpochUs("as_of")} AS now, attempts AS attempt`,
        [reportId],
      );
      if (rows.length === 0) {
        const exists = await reader.query("SELECT 1 FROM reports WHERE id = $1", [reportId]);
        return exists.rowCount ? "already-finished" : "unknown";
      }
      const { now, attempt } = rows[0]!;
      try {
        await coordinate(reader, reportId, now, attempt, options);
        return "completed";
      } catch (e) {
        await reader.query("ROLLBACK").catch(() => {});
        await markFailed(reportId, attempt, e);
        return "failed";
      }
    } finally {
      await reader.query(`SELECT pg_advisory_unlock(${REPORT_LOCK_SQL})`, [reportId]).catch(() => {});
    }
  } finally {
    reader.release();
  }
}

async function coordinate(reader: pg.PoolClient, reportId: string, now: number, attempt: number, options: RunOptions) {
  await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  const snapshot = options.shardViaQueue
    ? (await reader.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]!.id
    : null;
  const storeIds = await storesPolledBy(reader, now);
  const size = env().REPORT_SHARD_STORES;
  const shards: string[][] = [];
  for (let i = 0; i < storeIds.length; i += size) shards.push(storeIds.slice(i, i + size));

  // Rows of an earlier, interrupted attempt go; shards of that attempt can no longer write (see computeShard).
  await pool().query("DELETE FROM report_rows WHERE report_id = $1", [reportId]);
  await pool().query("UPDATE reports SET stores_total = $2, shards_total = $3 WHERE id = $1", [reportId, storeIds.length, shards.length]);

  if (snapshot === null) {
    for (const storeIds of shards) await computeShard(reader, { reportId, attempt, now, snapshot: "", storeIds }, options);
  } else {
    const jobs = shards.map((storeIds) => ({ reportId, attempt, now, snapshot, storeIds }));
    const jobIds = await sendShardJobs(jobs);
    await waitForShards(reader, reportId, attempt, jobs.map((job, i) => ({ job, jobId: jobIds[i]! })));
  }
  await reader.query("COMMIT");
  const done = await pool().query(
    `UPDATE reports SET status = 'Complete', finished_at = now(), stores_done = stores_total
     WHERE id = $1 AND attempts = $2 AND status = 'Running' AND shards_done = shards_total`,
    [reportId, attempt],
  );
  if (!done.rowCount) throw new Error("the report's shards did not all complete");
}

interface QueuedShard {
  job: ShardJob;
  jobId: string;
}

/**
 * Waits while the shards are computed elsewhere, holding the snapshot open for them to import. Every second
 * it looks for shards that no worker will finish (see takeOverOrphanedShards) and computes them itself.
 */
async function waitForShards(reader: pg.ClientBase, reportId: string, attempt: number, shards: QueuedShard[]): Promise<void> {
  const deadline = Date.now() + env().REPORT_JOB_EXPIRE_SECONDS * 1000;
  let nextLook = Date.now() + 1000;
  for (;;) {
    const { rows } = await pool().query<{ status: string; attempts: number; done: number; total: number; error: string | null }>(
      "SELECT status, attempts, shards_done AS done, shards_total AS total, error FROM reports WHERE id = $1",
      [reportId],
    );
    const r = rows[0];
    if (!r || r.attempts !== attempt) throw new Error("the report was restarted elsewhere");
    if (r.status === "Failed") throw new Error(r.error ?? "a shard failed");
    if (r.done >= r.total) return;
    if (Date.now() > deadline) throw new Error(`the report's shards did not finish within ${env().REPORT_JOB_EXPIRE_SECONDS} s`);
    if (Date.now() >= nextLook) {
      await takeOverOrphanedShards(reader, reportId, shards);
      nextLook = Date.now() + 1000;
    }
    await sleep(20);
  }
}

/**
 * A shard whose rows are not stored and whose lock nobody holds, although a worker took its job more than
 * SHARD_TAKEN_GRACE_MS ago (or its job ended), will not be finished by anyone: its worker stopped (the queue
 * would retry it only when the job expires, after REPORT_JOB_EXPIRE_SECONDS). The run computes it itself, in
 * its own snapshot. Shards still waiting for a free worker are left to the workers.
 */
async function takeOverOrphanedShards(reader: pg.ClientBase, reportId: string, shards: QueuedShard[]): Promise<void> {
  const { rows } = await pool().query<{ store_id: string }>(
    "SELECT store_id FROM report_rows WHERE report_id = $1 AND store_id = ANY($2)",
    [reportId, shards.map((s) => s.job.storeIds[0])],
  );
  const stored = new Set(rows.map((r) => r.store_id));
  const boss = await queue();
  for (const { job, jobId } of shards) {
    if (stored.has(job.storeIds[0]!)) continue;
    const queued = await boss.getJobById(SHARD_QUEUE, jobId, { includeArchive: true });
    if (queued?.state === "created" || queued?.state === "retry") continue; // waiting for a worker
    if (queued?.state === "active" && Date.now() - queued.startedOn.getTime() < SHARD_TAKEN_GRACE_MS) continue;
    await computeShardOnce(reader, job);
  }
}

/**
 * Computes a shard from `reader` (a transaction in the report's snapshot) unless another connection is
 * computing it or its rows are stored: it holds the shard's lock till the end of the transaction.
 */
async function computeShardOnce(reader: pg.ClientBase, job: ShardJob): Promise<void> {
  const key = [job.reportId, job.attempt, job.storeIds[0]];
  const { rows } = await reader.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${SHARD_LOCK_SQL}) AS ok`, key);
  if (!rows[0]!.ok) return;
  const stored = await pool().query("SELECT 1 FROM report_rows WHERE report_id = $1 AND store_id = $2", [job.reportId, job.storeIds[0]]);
  if (!stored.rowCount) await computeShard(reader, job);
}

/**
 * Computes one shard's stores from `reader` (a transaction in the report's snapshot) and stores their rows.
 * The rows and the shard's count are committed together, and only while the report is still Running in the
 * same attempt: a shard of an abandoned attempt writes nothing.
 */
export async function computeShard(reader: pg.ClientBase, job: ShardJob, options: Pick<RunOptions, "afterBatch"> = {}): Promise<void> {
  const writer = await pool().connect();
  try {
    await writer.query("BEGIN");
    const copy = new CopyIn(writer, "report_rows", ["report_id", "store_id", ...FIGURE_COLUMNS]);
    const clocks = new ZoneClocks();
    const batchSize = env().REPORT_BATCH_STORES;
    const load = (from: number) => loadStoreData(reader, job.storeIds.slice(from, from + batchSize), job.now - WINDOWS.week, job.now);
    let next = job.storeIds.length > 0 ? load(0) : null;
    try {
      for (let i = 0; i < job.storeIds.length; i += batchSize) {
        const stores = await next!;
        // The database reads the next batch while this one is computed: both run at once.
        next = i + batchSize < job.storeIds.length ? load(i + batchSize) : null;
        const rows: string[][] = [];
        for (const store of stores) {
          let timeline;
          try {
            timeline = storeTimeline(store, job.now, clocks);
          } catch (e) {
            throw new Error(`store ${store.storeId}: ${e instanceof Error ? e.message : String(e)}`);
          }
          if (!timeline) continue;
          const figures = reportFigures(timeline.durations);
          rows.push([job.reportId, store.storeId, ...FIGURE_KEYS.map((k) => figures[k])]);
        }
        await copy.write(rows);
        await pool().query("UPDATE reports SET stores_done = stores_done + $2 WHERE id = $1", [job.reportId, stores.length]);
        await options.afterBatch?.();
      }
      await copy.end();
    } catch (e) {
      await next?.catch(() => {});
      await copy.abort(e as Error);
      throw e;
    }
    const fence = await writer.query(
      "UPDATE reports SET shards_done = shards_done + 1 WHERE id = $1 AND attempts = $2 AND status = 'Running'",
      [job.reportId, job.attempt],
    );
    await writer.query(fence.rowCount ? "COMMIT" : "ROLLBACK");
  } catch (e) {
    await writer.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    writer.release();
  }
}

/**
 * A shard job, as a worker runs it: imports the report's snapshot and computes the shard. A shard whose
 * rows are already stored, or that another connection is computing (the run took it over), is skipped; one
 * whose snapshot is gone (its report's run stopped) is dropped, as the sweep restarts that report.
 */
export async function runShardJob(job: ShardJob): Promise<void> {
  const reader = await pool().connect();
  try {
    await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
      // pg_export_snapshot ids are hexadecimal digits and dashes; checked, they are safe in the literal.
      if (!/^[0-9A-F-]+$/i.test(job.snapshot)) throw new Error(`bad snapshot id ${job.snapshot}`);
      await reader.query(`SET TRANSACTION SNAPSHOT '${job.snapshot}'`);
    } catch {
      return; // the run that exported it has ended
    }
    await computeShardOnce(reader, job).catch((e) => markFailed(job.reportId, job.attempt, e));
    await reader.query("COMMIT");
  } finally {
    await reader.query("ROLLBACK").catch(() => {});
    reader.release();
  }
}
