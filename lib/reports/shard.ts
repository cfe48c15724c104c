import type pg from "pg";
import { env } from "../env";
import { isDatabaseUnavailable, noteDatabaseUnavailable } from "../db/availability";
import { CopyIn } from "../db/copy";
import { pool, rollbackAndRelease } from "../db/pool";
import { notify } from "../db/notifications";
import { FIGURE_COLUMNS, FIGURE_KEYS, isoMicros, reportFigures, ZoneClocks } from "../uptime";
import type { ShardJob } from "../jobs/queues";
import { markFailed, PROGRESS_CHANNEL } from "./state";
import { storesPolledBy } from "./store-data";
import { loadStoreWeeks, storeWeekFigures } from "./store-weeks";
import { errorMessage, log } from "../log";

/**
 * A key for the transaction advisory lock held by the connection computing a shard (one attempt's shard,
 * named by its first store): the lock goes with the transaction, or with the connection of a worker that died.
 */
export const SHARD_LOCK_SQL = "hashtextextended('report-shard:' || $1 || ':' || $2 || ':' || $3, 0)";

export interface ShardOptions {
  /** Called after each batch of stores is computed (tests use it to change data mid-run). */
  afterBatch?: () => Promise<void>;
}

/**
 * Computes a shard from `reader` (a transaction in the report's snapshot) unless another connection is
 * computing it or its rows are stored: it holds the shard's lock till the end of the transaction.
 */
export async function computeShardOnce(reader: pg.ClientBase, job: ShardJob, options: ShardOptions = {}): Promise<void> {
  const key = [job.reportId, job.attempt, job.first];
  const { rows } = await reader.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${SHARD_LOCK_SQL}) AS ok`, key);
  if (!rows[0]!.ok) return;
  const stored = await pool().query("SELECT 1 FROM report_rows WHERE report_id = $1 AND store_id = $2", [job.reportId, job.first]);
  if (!stored.rowCount) await computeShard(reader, job, options);
}

/**
 * Computes one shard's stores from `reader` (a transaction in the report's snapshot) and stores their rows.
 * The rows, the shard's count and its stores' progress are committed together, and only while the report
 * is still Running in the same attempt: a shard of an abandoned attempt writes nothing, and a shard done
 * again after its worker died is counted once.
 */
async function computeShard(reader: pg.ClientBase, job: ShardJob, options: ShardOptions): Promise<void> {
  const writer = await pool().connect();
  try {
    await writer.query("BEGIN");
    const copy = new CopyIn(writer, "report_rows", [
      "report_id",
      "store_id",
      ...FIGURE_COLUMNS,
      "last_poll_at",
      "poll_coverage",
      "freshness",
    ]);
    const clocks = new ZoneClocks();
    const batchSize = env().REPORT_BATCH_STORES;
    const storeIds = await storesPolledBy(reader, job.now, job.ownerIds, job);
    const load = (from: number) => loadStoreWeeks(reader, storeIds.slice(from, from + batchSize), job.now, clocks);
    let next = storeIds.length > 0 ? load(0) : null;
    try {
      for (let i = 0; i < storeIds.length; i += batchSize) {
        const stores = await next!;
        // The database reads the next batch while this one is computed: both run at once.
        next = i + batchSize < storeIds.length ? load(i + batchSize) : null;
        const rows: (string | number)[][] = [];
        for (const store of stores) {
          let week;
          try {
            week = storeWeekFigures(store, job.now, clocks);
          } catch (e) {
            throw new Error(`store ${store.storeId}: ${errorMessage(e)}`);
          }
          if (!week) continue;
          const figures = reportFigures(week.durations);
          const fresh = week.freshness;
          rows.push([
            job.reportId,
            store.storeId,
            ...FIGURE_KEYS.map((k) => figures[k]),
            isoMicros(fresh.lastPoll!),
            fresh.coverage,
            fresh.state,
          ]);
        }
        await copy.write(rows);
        await options.afterBatch?.();
      }
      await copy.end();
    } catch (e) {
      await next?.catch(() => {});
      await copy.abort(e as Error);
      throw e;
    }
    const fence = await writer.query(
      `UPDATE reports SET shards_done = shards_done + 1, stores_done = stores_done + $3
       WHERE id = $1 AND attempts = $2 AND status = 'Running'`,
      [job.reportId, job.attempt, storeIds.length],
    );
    if (fence.rowCount) await notify(PROGRESS_CHANNEL, job.reportId, writer); // delivered on commit
    await writer.query(fence.rowCount ? "COMMIT" : "ROLLBACK");
  } catch (e) {
    await rollbackAndRelease(writer, e);
    throw e;
  }
  writer.release();
}

/**
 * A shard job, as a worker runs it: imports the report's snapshot and computes the shard. A shard whose
 * rows are already stored, or that another connection is computing (the run took it over), is skipped; one
 * whose snapshot is gone (its report's run stopped) is dropped, as the sweep restarts that report.
 */
export async function runShardJob(job: ShardJob): Promise<void> {
  // A shard queued by an earlier version (a list of store ids, no range) is left to its own run, which takes over
  // the shards no worker computes: read as a range, it would be every store.
  if (typeof job.first !== "string" || typeof job.last !== "string") return;
  const reader = await pool().connect();
  let failure: unknown;
  try {
    await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
      // pg_export_snapshot ids are hexadecimal digits and dashes; checked, they are safe in the literal.
      if (!/^[0-9A-F-]+$/i.test(job.snapshot)) throw new Error(`bad snapshot id ${job.snapshot}`);
      await reader.query(`SET TRANSACTION SNAPSHOT '${job.snapshot}'`);
    } catch {
      return; // the run that exported it has ended
    }
    const started = performance.now();
    await computeShardOnce(reader, job).then(
      () =>
        log().info(
          { reportId: job.reportId, requestId: job.requestId, stores: job.stores, ms: Math.round(performance.now() - started) },
          "report shard computed",
        ),
      (e) => {
        failure = e;
        // A lost database ends the report's run too (its snapshot is gone): the run, or the sweep, says so.
        if (isDatabaseUnavailable(e)) noteDatabaseUnavailable(e, "shard");
        else return markFailed(job.reportId, job.attempt, e, { requestId: job.requestId });
      },
    );
  } catch (e) {
    failure ??= e;
    throw e;
  } finally {
    // Read only: a rollback ends it as well as a commit would, and frees the shard's lock.
    await rollbackAndRelease(reader, failure);
  }
}
