import type pg from "pg";
import { env } from "../env";
import { CopyIn } from "../db/copy";
import { pool } from "../db/pool";
import { FIGURE_KEYS, reportFigures, storeTimeline, WINDOWS, ZoneClocks } from "../uptime";
import { loadStoreData, storesPolledBy, toEpochUs } from "./store-data";

export type RunOutcome = "completed" | "failed" | "already-finished" | "running-elsewhere" | "unknown";

/** A key for the session advisory lock that marks a report as being computed by some connection. */
export const REPORT_LOCK_SQL = "hashtextextended('report:' || $1, 0)";

/**
 * Computes a report and stores its rows: the job behind every report, run by queue workers and by
 * `npm run report`. Holding an advisory lock for the whole run makes sure no two processes compute the
 * same report at once; the lock dies with the connection, so a crashed run can be picked up again.
 * All reads happen in one repeatable-read snapshot, so polls loaded meanwhile do not change the result.
 */
export interface RunHooks {
  /** Called after each batch of stores is computed (tests use it to change data mid-run). */
  afterBatch?: () => Promise<void>;
}

export async function runReport(reportId: string, hooks: RunHooks = {}): Promise<RunOutcome> {
  const reader = await pool().connect();
  try {
    const { rows: lock } = await reader.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${REPORT_LOCK_SQL}) AS ok`, [reportId]);
    if (!lock[0]!.ok) return "running-elsewhere";
    try {
      const { rows } = await reader.query<{ as_of_us: number }>(
        `UPDATE reports SET status = 'Running', started_at = now(), attempts = attempts + 1, stores_done = 0, error = NULL
         WHERE id = $1 AND status IN ('Queued', 'Running') RETURNING ${toEpochUs("as_of")} AS as_of_us`,
        [reportId],
      );
      if (rows.length === 0) {
        const exists = await reader.query("SELECT 1 FROM reports WHERE id = $1", [reportId]);
        return exists.rowCount ? "already-finished" : "unknown";
      }
      try {
        await computeAndStore(reader, reportId, rows[0]!.as_of_us, hooks);
        return "completed";
      } catch (e) {
        await reader.query("ROLLBACK").catch(() => {});
        const message = e instanceof Error ? e.message : String(e);
        console.error(`[report ${reportId}] failed:`, e);
        await pool().query(`UPDATE reports SET status = 'Failed', finished_at = now(), error = $2 WHERE id = $1`, [reportId, message]);
        return "failed";
      }
    } finally {
      await reader.query(`SELECT pg_advisory_unlock(${REPORT_LOCK_SQL})`, [reportId]).catch(() => {});
    }
  } finally {
    reader.release();
  }
}

async function computeAndStore(reader: pg.PoolClient, reportId: string, now: number, hooks: RunHooks): Promise<void> {
  await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  const storeIds = await storesPolledBy(reader, now);
  await pool().query("UPDATE reports SET stores_total = $2 WHERE id = $1", [reportId, storeIds.length]);

  const writer = await pool().connect();
  try {
    await writer.query("BEGIN");
    await writer.query("DELETE FROM report_rows WHERE report_id = $1", [reportId]);
    const copy = new CopyIn(writer, "report_rows", ["report_id", "store_id", ...FIGURE_COLUMNS]);
    const clocks = new ZoneClocks();
    const from = now - WINDOWS.week;
    const batchSize = env().REPORT_BATCH_STORES;
    try {
      for (let i = 0; i < storeIds.length; i += batchSize) {
        const stores = await loadStoreData(reader, storeIds.slice(i, i + batchSize), from, now);
        const rows: string[][] = [];
        for (const store of stores) {
          let timeline;
          try {
            timeline = storeTimeline(store, now, clocks);
          } catch (e) {
            throw new Error(`store ${store.storeId}: ${e instanceof Error ? e.message : String(e)}`);
          }
          if (!timeline) continue;
          const figures = reportFigures(timeline.durations);
          rows.push([reportId, store.storeId, ...FIGURE_KEYS.map((k) => figures[k])]);
        }
        await copy.write(rows);
        await pool().query("UPDATE reports SET stores_done = $2 WHERE id = $1", [reportId, i + stores.length]);
        await hooks.afterBatch?.();
      }
      await copy.end();
    } catch (e) {
      await copy.abort(e as Error);
      throw e;
    }
    await reader.query("COMMIT");
    await writer.query(`UPDATE reports SET status = 'Complete', finished_at = now() WHERE id = $1`, [reportId]);
    await writer.query("COMMIT");
  } catch (e) {
    await writer.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    writer.release();
  }
}

export const FIGURE_COLUMNS = [
  "uptime_last_hour",
  "uptime_last_day",
  "uptime_last_week",
  "downtime_last_hour",
  "downtime_last_day",
  "downtime_last_week",
] as const;
