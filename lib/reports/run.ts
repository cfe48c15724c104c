import type pg from "pg";
import { env } from "../env";
import { isDatabaseUnavailable, noteDatabaseUnavailable } from "../db/availability";
import { listen } from "../db/notifications";
import { pool } from "../db/pool";
import { sendJobs } from "../jobs/queue";
import { SHARD_QUEUE } from "../jobs/queues";
import { keptFigures } from "./list";
import { computeShardOnce, type ShardOptions } from "./shard";
import { markFailed, PROGRESS_CHANNEL, REPORT_LOCK_SQL } from "./state";
import { storeRangesPolledBy, toEpochUs } from "./store-data";
import { takeOverOrphanedShards, type QueuedShard } from "./takeover";
import { errorMessage, log } from "../log";
import { metrics } from "../observability/metrics";

export type RunOutcome = "completed" | "failed" | "interrupted" | "already-finished" | "running-elsewhere" | "unknown";

export interface RunOptions extends ShardOptions {
  /**
   * Hand the shards to the queue, so that every worker process shares the report (workers do); otherwise
   * compute them here, one after the other (`npm run report`, tests).
   */
  shardViaQueue?: boolean;
}

/** How often the run looks for shards that no worker will finish (see takeOverOrphanedShards). */
const TAKEOVER_LOOK_MS = 1000;

/**
 * Computes a report and stores its rows: the job behind every report. The run holds an advisory lock on
 * the report, so that no two processes run it at once (the lock dies with its connection, so a crashed run
 * can be taken up again), and reads one repeatable-read snapshot, so that polls loaded meanwhile do not
 * change the result. It cuts the stores into shards (ranges of store ids, counted in the database: a million
 * stores are a thousand small jobs); with `shardViaQueue` the shards are queue jobs that any worker process
 * takes, each importing the run's snapshot and listing its own stores in it; the run waits for them.
 */
export async function runReport(reportId: string, options: RunOptions = {}): Promise<RunOutcome> {
  const reader = await pool().connect();
  let broken: Error | undefined;
  try {
    const { rows: lock } = await reader.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${REPORT_LOCK_SQL}) AS ok`, [reportId]);
    if (!lock[0]!.ok) return "running-elsewhere";
    try {
      const { rows } = await reader.query<{ now: number; attempt: number; requestId: string | null; ownerIds: string[] | null }>(
        `UPDATE reports SET status = 'Running', started_at = now(), attempts = attempts + 1, stores_done = 0, shards_done = 0, error = NULL
         WHERE id = $1 AND status IN ('Queued', 'Running')
         RETURNING ${toEpochUs("as_of")} AS now, attempts AS attempt, request_id AS "requestId", owner_ids AS "ownerIds"`,
        [reportId],
      );
      if (rows.length === 0) {
        const exists = await reader.query("SELECT 1 FROM reports WHERE id = $1", [reportId]);
        return exists.rowCount ? "already-finished" : "unknown";
      }
      const { now, attempt, requestId, ownerIds } = rows[0]!;
      const trace = { reportId, requestId: requestId ?? undefined, attempt };
      const started = performance.now();
      log().info(trace, "report run started");
      try {
        const stores = await coordinate(reader, reportId, now, attempt, ownerIds, { ...options, requestId: requestId ?? undefined });
        const seconds = (performance.now() - started) / 1000;
        log().info({ ...trace, stores, seconds: Math.round(seconds * 1000) / 1000 }, "report complete");
        metrics().reportRuns.inc({ outcome: "complete" });
        metrics().reportSeconds.observe(seconds);
        return "completed";
      } catch (e) {
        if (isDatabaseUnavailable(e)) {
          // The database went away under the run (a restart, a failover): its connection is discarded, not rolled
          // back (see rollbackAndRelease), which frees the report's lock. The report stays Running, and the sweep
          // runs it again once the database answers (at once: noting the outage makes its return wake the sweep).
          broken = e as Error;
          noteDatabaseUnavailable(e, "report");
          log().warn({ ...trace, err: errorMessage(e) }, "report interrupted: the database was lost; the sweep runs it again");
          metrics().reportRuns.inc({ outcome: "interrupted" });
          return "interrupted";
        }
        metrics().reportRuns.inc({ outcome: "failed" });
        await reader.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
        await markFailed(reportId, attempt, e, { requestId: trace.requestId });
        return "failed";
      }
    } finally {
      if (!broken) await reader.query(`SELECT pg_advisory_unlock(${REPORT_LOCK_SQL})`, [reportId]).catch((e: Error) => (broken = e));
    }
  } finally {
    reader.release(broken);
  }
}

/**
 * Runs a report's shards in the run's snapshot and marks it Complete; answers how many stores it had: every store's,
 * or those of `ownerIds` (a scoped caller's report).
 */
async function coordinate(
  reader: pg.PoolClient,
  reportId: string,
  now: number,
  attempt: number,
  ownerIds: string[] | null,
  options: RunOptions & { requestId?: string },
): Promise<number> {
  await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  // Should this process stop answering (not die) while the shards wait for its snapshot, the server ends the
  // transaction after the job's expiry, so it cannot hold back vacuum for longer.
  await reader.query(`SET LOCAL idle_in_transaction_session_timeout = ${env().REPORT_JOB_EXPIRE_SECONDS * 1000}`);
  // The stores come from poll_stores, but the shards read polls in this snapshot: holding polls until the last
  // shard is in keeps a month from being dropped (retention) or the partitions switched (a load with --replace)
  // meanwhile. ROW SHARE, not a reader's ACCESS SHARE: a change of partitions waits for it in EXCLUSIVE mode,
  // which lets this run's shards and every other reader through (see lib/db/poll-partitions.ts). Taken before
  // the snapshot, so that a run held up by a switch reads the polls it switched in.
  await reader.query("LOCK TABLE polls IN ROW SHARE MODE");
  const snapshot = options.shardViaQueue ? (await reader.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]!.id : null;
  const shards = await storeRangesPolledBy(reader, now, ownerIds, env().REPORT_SHARD_STORES);
  const stores = shards.reduce((sum, shard) => sum + shard.stores, 0);

  // Rows of an earlier, interrupted attempt go; shards of that attempt can no longer write (see computeShard).
  await pool().query("DELETE FROM report_rows WHERE report_id = $1", [reportId]);
  await pool().query("UPDATE reports SET stores_total = $2, shards_total = $3 WHERE id = $1", [reportId, stores, shards.length]);

  const jobs = shards.map((shard) => ({
    reportId,
    attempt,
    now,
    snapshot: snapshot ?? "",
    ...shard,
    ownerIds,
    ...(options.requestId ? { requestId: options.requestId } : {}),
  }));
  log().info({ reportId, requestId: options.requestId, stores, shards: shards.length }, "report shards queued");
  if (snapshot === null) {
    for (const job of jobs) await computeShardOnce(reader, job, options);
  } else {
    const queuedAt = Date.now();
    const jobIds = await sendJobs(SHARD_QUEUE, jobs);
    await waitForShards(
      reader,
      reportId,
      attempt,
      jobs.map((job, i) => ({ job, jobId: jobIds[i]! })),
      queuedAt,
    );
  }
  await reader.query("COMMIT");
  // The planner learns of the rows just written before any page reads them: it estimated one row for a report
  // newer than the table's last statistics, and a caller's scope (a semi-join with stores) then ran as a nested
  // loop over both, 16-29 s at 12,000 stores. ANALYZE reads a sample (30,000 rows), whatever the table's size.
  await pool().query("ANALYZE report_rows");
  // A complete report never changes: it keeps its fleet figures, which its pages then read instead of its rows.
  const kept = await keptFigures(reportId);
  const done = await pool().query(
    `UPDATE reports SET status = 'Complete', finished_at = now(), stores_done = stores_total,
            totals = $3, previous_id = $4, previous_totals = $5
     WHERE id = $1 AND attempts = $2 AND status = 'Running' AND shards_done = shards_total`,
    [reportId, attempt, kept.totals, kept.previousId, kept.previousTotals],
  );
  if (!done.rowCount) throw new Error("the report's shards did not all complete");
  return stores;
}

/**
 * Waits while the shards are computed elsewhere, holding the snapshot open for them to import: it looks at
 * the report whenever a shard commits or fails (a notification) and at least every TAKEOVER_LOOK_MS, when it
 * also computes itself the shards that no worker will finish in time (takeOverOrphanedShards).
 */
async function waitForShards(
  reader: pg.ClientBase,
  reportId: string,
  attempt: number,
  shards: QueuedShard[],
  queuedAt: number,
): Promise<void> {
  const deadline = Date.now() + env().REPORT_JOB_EXPIRE_SECONDS * 1000;
  // A notification that arrives while the report is being read is kept, so that none is missed.
  let signalled = false;
  let resume: (() => void) | null = null;
  const stopListening = await listen(PROGRESS_CHANNEL, (id) => {
    if (id !== reportId && id !== "") return;
    signalled = true;
    resume?.();
  });
  try {
    for (let nextLook = Date.now() + TAKEOVER_LOOK_MS; ;) {
      signalled = false;
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
        await takeOverOrphanedShards(reader, reportId, shards, queuedAt);
        nextLook = Date.now() + TAKEOVER_LOOK_MS;
        continue;
      }
      if (signalled) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, nextLook - Date.now());
        resume = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      resume = null;
    }
  } finally {
    await stopListening();
  }
}
