import type pg from "pg";
import { pool } from "../db/pool";
import { findJob } from "../jobs/queue";
import { SHARD_QUEUE, type ShardJob } from "../jobs/queues";
import { computeShardOnce } from "./shard";
import { metrics } from "../observability/metrics";

/**
 * How long a shard may wait before the report's run computes it itself: taken by a worker whose lock on it
 * is gone (the worker stopped; the queue would retry it only when the job expires), or not taken at all
 * (every worker is busy, perhaps with other reports).
 */
export const SHARD_GRACE_MS = 2000;

export interface QueuedShard {
  job: ShardJob;
  jobId: string;
}

/**
 * Computes, in the run's own snapshot (`reader`), every shard not stored yet that no worker will finish in
 * time: its job ended, or was taken more than SHARD_GRACE_MS ago and nobody holds its lock, or has waited
 * that long for a worker. A shard a live worker holds is left to it (computeShardOnce skips locked shards).
 * So the snapshot is held about as long as one process would take for the whole report, plus the grace.
 */
export async function takeOverOrphanedShards(
  reader: pg.ClientBase,
  reportId: string,
  shards: QueuedShard[],
  queuedAt: number,
): Promise<void> {
  const { rows } = await pool().query<{ store_id: string }>(
    "SELECT store_id FROM report_rows WHERE report_id = $1 AND store_id = ANY($2)",
    [reportId, shards.map((s) => s.job.first)],
  );
  const stored = new Set(rows.map((r) => r.store_id));
  for (const { job, jobId } of shards) {
    if (stored.has(job.first)) continue;
    const queued = await findJob(SHARD_QUEUE, jobId);
    const waiting = queued?.state === "created" || queued?.state === "retry";
    if (waiting && Date.now() - queuedAt < SHARD_GRACE_MS) continue;
    if (queued?.state === "active" && Date.now() - queued.startedOn.getTime() < SHARD_GRACE_MS) continue;
    await computeShardOnce(reader, job);
    metrics().shardsTakenOver.inc();
  }
}
