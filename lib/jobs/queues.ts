import { env } from "../env";

// Every queue of the job runtime, in one table: its name, the options it is created with, its schedule, how
// workers take its jobs, and what its jobs carry. Features send and work through these names only.

export const REPORT_QUEUE = "report";
export const SHARD_QUEUE = "report-shard";
export const RETENTION_QUEUE = "report-retention";
export const ALERT_EVALUATE_QUEUE = "alert-evaluate";
export const ALERT_DELIVERY_QUEUE = "alert-delivery";
export const FLEET_REFRESH_QUEUE = "fleet-refresh";

/** A report's run: cuts the report into shards and waits for them. */
export interface ReportJob {
  reportId: string;
}

/** A slice of a report's stores, computed in the snapshot the report's run exported. */
export interface ShardJob {
  reportId: string;
  attempt: number;
  /** The report's "now", epoch microseconds. */
  now: number;
  snapshot: string;
  /** The shard's stores: those of the report (of `ownerIds` only, when not null) from `first` to `last` in byte order. */
  first: string;
  last: string;
  stores: number;
  ownerIds: string[] | null;
  /** The id of the request that triggered the report, for log lines. */
  requestId?: string;
}

export interface EvaluateJob {
  /** Asked for by new polls: the round alone (the minute's job also sends the scheduled reports that are due). */
  polled?: true;
}

export interface DeliveryJob {
  deliveryId: number;
}

/** What each queue's jobs carry (a scheduled job carries nothing). */
export interface JobData {
  [REPORT_QUEUE]: ReportJob;
  [SHARD_QUEUE]: ShardJob;
  [RETENTION_QUEUE]: null;
  [ALERT_EVALUATE_QUEUE]: EvaluateJob | null;
  [ALERT_DELIVERY_QUEUE]: DeliveryJob;
  [FLEET_REFRESH_QUEUE]: null;
}
export type QueueName = keyof JobData;

/** Sendings of the alert-delivery queue before it gives up on a receiver. */
const DELIVERY_RETRIES = 8;
/** Seconds a sending may take (a receiver gets 10) before the queue gives it to another worker. */
const DELIVERY_EXPIRE_SECONDS = 30;

export interface QueueSpec {
  name: QueueName;
  /** pg-boss's queue options (createQueue). */
  options: { policy?: "singleton"; retryLimit: number; retryDelay?: number; retryBackoff?: boolean; expireInSeconds?: number };
  /** A cron expression (UTC) when the queue is fed by the schedule. */
  cron?: string;
  /** Options an earlier version made differently, applied again to a queue that exists. */
  update?: true;
  /** How often an idle worker looks for jobs, and how many it takes at once. */
  work: { pollingIntervalSeconds: number; batchSize?: number };
  /**
   * Senders NOTIFY the wake channel, and workers look again at once (rather than at their next poll) and right
   * after each job, so that a queue of jobs drains back to back.
   */
  wake?: true;
}

/** The queues, read when they are created (the report jobs' expiry is a setting). */
export function queueTable(): QueueSpec[] {
  const reportJobs = { retryLimit: 3, retryDelay: 1, expireInSeconds: env().REPORT_JOB_EXPIRE_SECONDS };
  const reportWork = { batchSize: 1, pollingIntervalSeconds: 0.5 };
  return [
    { name: REPORT_QUEUE, options: reportJobs, work: reportWork, wake: true },
    { name: SHARD_QUEUE, options: reportJobs, work: reportWork, wake: true },
    // Deletes reports older than REPORT_RETENTION_DAYS and keeps the polls' partitions; hourly.
    { name: RETENTION_QUEUE, options: { policy: "singleton", retryLimit: 1 }, cron: "17 * * * *", work: { pollingIntervalSeconds: 30 } },
    // The alert round: every minute, and a few seconds after new polls.
    {
      name: ALERT_EVALUATE_QUEUE,
      options: { retryLimit: 1, expireInSeconds: 120 },
      cron: "* * * * *",
      work: { pollingIntervalSeconds: 1 },
    },
    // Computes the stores' days that writers other than the loads left stale (retention, a direct change); every minute.
    {
      name: FLEET_REFRESH_QUEUE,
      options: { policy: "singleton", retryLimit: 1, expireInSeconds: 600 },
      cron: "* * * * *",
      work: { pollingIntervalSeconds: 5 },
    },
    // Sends one recorded notification, retried with backoff when the receiver fails. A sending whose worker
    // died is retried once it expires: after the receiver's time-out, not minutes later.
    {
      name: ALERT_DELIVERY_QUEUE,
      options: { retryLimit: DELIVERY_RETRIES, retryDelay: 2, retryBackoff: true, expireInSeconds: DELIVERY_EXPIRE_SECONDS },
      update: true,
      work: { pollingIntervalSeconds: 1 },
    },
  ];
}
