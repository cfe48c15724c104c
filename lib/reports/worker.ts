import { env } from "../env";
import { onReportJobQueued, queue, REPORT_QUEUE, stopQueue, type ReportJob } from "./queue";
import { runReport } from "./run";
import { sweepOrphanedReports } from "./sweep";

/**
 * Takes report jobs from the queue and computes them, one at a time per process, and sweeps for reports
 * whose worker died. Returns a function that stops it.
 */
export async function startReportWorker(): Promise<() => Promise<void>> {
  const boss = await queue({ supervise: true });
  const workerId = await boss.work<ReportJob>(REPORT_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    for (const job of jobs) await runReport(job.data.reportId);
  });
  const stopListening = await onReportJobQueued(() => boss.notifyWorker(workerId));
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
