import { env } from "../env";
import { isDatabaseUnavailable, noteDatabaseUnavailable, onDatabaseBack } from "../db/availability";
import { maintainPollPartitions } from "../db/poll-partitions";
import { REPORT_QUEUE, RETENTION_QUEUE, SHARD_QUEUE } from "../jobs/queues";
import type { JobHandlers } from "../jobs/worker";
import { runReport } from "./run";
import { runShardJob } from "./shard";
import { deleteExpiredReports, sweepOrphanedReports } from "./sweep";
import { errorMessage, log } from "../log";

/**
 * The reports' jobs: report runs (which cut a report into shards and wait for them), shards (which any worker
 * may compute), and the hourly deletion of old reports, with the polls' partitions kept.
 */
export const reportJobs: JobHandlers = {
  [REPORT_QUEUE]: (job) => runReport(job.reportId, { shardViaQueue: true }),
  [SHARD_QUEUE]: runShardJob,
  [RETENTION_QUEUE]: async () => {
    const deleted = await deleteExpiredReports(env().REPORT_RETENTION_DAYS);
    if (deleted) log().info({ deleted }, `deleted ${deleted} report(s) older than ${env().REPORT_RETENTION_DAYS} days`);
    const polls = await maintainPollPartitions(env().POLL_RETENTION_DAYS).catch((e: Error) => {
      log().warn({ err: errorMessage(e) }, "polls' partitions not maintained this hour");
      return { made: 0, dropped: [] };
    });
    if (polls.made) log().info({ made: polls.made }, `made ${polls.made} month(s) of polls' partitions ahead`);
    if (polls.dropped.length)
      log().info({ dropped: polls.dropped }, `dropped polls older than ${env().POLL_RETENTION_DAYS} days: ${polls.dropped.join(", ")}`);
  },
};

/**
 * Sweeps for reports whose worker died, every REPORT_SWEEP_SECONDS and as soon as the database is back after an
 * outage (reports it interrupted are taken up then, not at the next sweep). Returns a function that stops it.
 */
export function startSweeping(): () => Promise<void> {
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = sweepOrphanedReports()
      .then(
        (ids) =>
          ids.length &&
          log().info({ reportIds: ids }, `re-queued reports whose run stopped (its worker or the database lost): ${ids.join(", ")}`),
      )
      .catch((e) =>
        isDatabaseUnavailable(e) ? noteDatabaseUnavailable(e, "sweep") : log().error({ err: errorMessage(e) }, "sweep failed"),
      );
  };
  sweep();
  const timer = setInterval(sweep, env().REPORT_SWEEP_SECONDS * 1000);
  const stopWatching = onDatabaseBack(sweep);
  return async () => {
    clearInterval(timer);
    stopWatching();
    await sweeping;
  };
}
