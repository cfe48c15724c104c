import { env } from "../env";
import { isDatabaseUnavailable, noteDatabaseUnavailable, onDatabaseBack } from "../db/availability";
import { listen } from "../db/notifications";
import { queue, REPORT_QUEUE, RETENTION_QUEUE, SHARD_QUEUE, stopQueue, WAKE_CHANNEL, type ReportJob, type ShardJob } from "./queue";
import { deliver } from "../alerts/deliver";
import { evaluateStores } from "../alerts/evaluate";
import { sendScheduledReports } from "../alerts/scheduled-reports";
import { ALERT_DELIVERY_QUEUE, ALERT_EVALUATE_QUEUE, type DeliveryJob, type EvaluateJob } from "../alerts/queue";
import { maintainPollPartitions } from "../db/poll-partitions";
import { runReport } from "./run";
import { runShardJob } from "./shard";
import { deleteExpiredReports, sweepOrphanedReports } from "./sweep";
import { errorMessage, log } from "../log";
import { metrics } from "../observability/metrics";

/**
 * Takes jobs from the queue: report runs (which cut a report into shards and wait for them) and shards
 * (which any worker may compute), one of each at a time per process; the hourly deletion of old reports;
 * and sweeps for reports whose worker died. Returns a function that stops it.
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
  await boss.work(RETENTION_QUEUE, { pollingIntervalSeconds: 30 }, async () => {
    const deleted = await deleteExpiredReports(env().REPORT_RETENTION_DAYS);
    if (deleted) log().info({ deleted }, `deleted ${deleted} report(s) older than ${env().REPORT_RETENTION_DAYS} days`);
    const polls = await maintainPollPartitions(env().POLL_RETENTION_DAYS).catch((e: Error) => {
      log().warn({ err: errorMessage(e) }, "polls' partitions not maintained this hour");
      return { made: 0, dropped: [] };
    });
    if (polls.made) log().info({ made: polls.made }, `made ${polls.made} month(s) of polls' partitions ahead`);
    if (polls.dropped.length)
      log().info({ dropped: polls.dropped }, `dropped polls older than ${env().POLL_RETENTION_DAYS} days: ${polls.dropped.join(", ")}`);
  });
  // Alerts: incidents evaluated every minute and when polls arrive; notifications sent, retried with backoff.
  await boss.work<EvaluateJob>(ALERT_EVALUATE_QUEUE, { pollingIntervalSeconds: 1 }, async (jobs) => {
    for (const job of jobs) {
      // The minute's round (not one for new polls) also sends the scheduled reports that are due: first, and
      // whatever becomes of the evaluation.
      if (!job.data?.storeIds)
        await sendScheduledReports().then(
          (ids) => ids.forEach((reportId) => log().info({ reportId }, "scheduled report generated")),
          (e) => log().error({ err: errorMessage(e) }, "scheduled reports failed"),
        );
      const timer = metrics().alertEvaluationSeconds.startTimer();
      const { opened, resolved } = await evaluateStores(job.data?.storeIds ?? null);
      timer();
      if (opened || resolved) log().info({ opened, resolved }, `${opened} incident(s) opened, ${resolved} resolved`);
    }
  });
  await boss.work<DeliveryJob>(ALERT_DELIVERY_QUEUE, { pollingIntervalSeconds: 1 }, async (jobs) => {
    for (const job of jobs) await deliver(job.data.deliveryId);
  });
  const stopListening = await listen(WAKE_CHANNEL, () => {
    boss.notifyWorker(reportWorker);
    boss.notifyWorker(shardWorker);
  });
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = sweepOrphanedReports()
      .then((ids) => ids.length && log().info({ reportIds: ids }, `re-queued reports whose worker stopped: ${ids.join(", ")}`))
      .catch((e) =>
        isDatabaseUnavailable(e) ? noteDatabaseUnavailable(e, "sweep") : log().error({ err: errorMessage(e) }, "sweep failed"),
      );
  };
  sweep();
  const timer = setInterval(sweep, env().REPORT_SWEEP_SECONDS * 1000);
  // Reports interrupted by an outage are taken up as soon as the database is back, not at the next sweep.
  const stopWatching = onDatabaseBack(sweep);
  return async () => {
    clearInterval(timer);
    stopWatching();
    await stopListening();
    await sweeping;
    await stopQueue();
  };
}
