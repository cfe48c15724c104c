import { env } from "../env";
import { onReportJobQueued, queue, REPORT_QUEUE, SHARD_QUEUE, stopQueue, type ReportJob, type ShardJob } from "./queue";
import { runReport, runShardJob } from "./run";
import { sweepOrphanedReports } from "./sweep";

/**
 * Takes jobs from the queue: report runs (which cut a report into shards and wait for them) and shards
 * (which any worker may compute), one of each at a time per process; and sweeps for reports whose worker
 * died. Returns a function that stops it.
 */
export async function startReportWorker(): Promise<() => Promise<void>> {
  const boss = await queue({ supervise: true });
  const options = { batchSize: 1, pollingIntervalSeconds: 0.5 };
  // pg-boss waits out its polling interval even after a job; asking it to look again at once drains a
  // queue of shards back to back.
  const reportWorker: string = await boss.work<ReportJob>(REPORT_QUEUE, options, async (jobs) => {
    for (const job of jobs) await runReport(job.data.reportId, { shardViaQueue: true });
    boss.notifyWorker(reportWorker);
  });
  const shardWorker: string = await boss.work<ShardJob>(SHARD_QUEUE, options, async (jobs) => {
    for (const job of jobs) await runShardJob(job.data);
    boss.notifyWorker(shardWorker);
  });
  const stopListening = await onReportJobQueued(() => {
    boss.notifyWorker(reportWorker);
    boss.notifyWorker(shardWorker);
  });
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = sweepOrphanedReports()
      .then((ids) => ids.length && console.log(`[worker] re-queued reports whose worker stopped: ${ids.join(", ")}`))
      .catch((e) => console.error("[worker] sweep failed:", e));
  };
  sweep();
  const timer = setInterval(sweep, env().REPORT_SWEEP_SECONDS * 1000);
  return async () => {
    clearInterval(timer);
    await stopListening();
    await sweeping;
    await stopQueue();
  };
}
