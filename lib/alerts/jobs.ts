import { ALERT_DELIVERY_QUEUE, ALERT_EVALUATE_QUEUE } from "../jobs/queues";
import type { JobHandlers } from "../jobs/worker";
import { deliver } from "./deliver";
import { evaluateRound } from "./round";
import { sendScheduledReports } from "./scheduled-reports";
import { errorMessage, log } from "../log";
import { metrics } from "../observability/metrics";

/**
 * The alerts' jobs: the alert round every minute and soon after polls arrive (the stores whose answer can have
 * changed, see evaluateRound); notifications sent, retried with backoff.
 */
export const alertJobs: JobHandlers = {
  [ALERT_EVALUATE_QUEUE]: async (job) => {
    // The minute's round (not one for new polls) also sends the scheduled reports that are due: first, and
    // whatever becomes of the evaluation.
    if (!job?.polled)
      await sendScheduledReports().then(
        (ids) => ids.forEach((reportId) => log().info({ reportId }, "scheduled report generated")),
        (e) => log().error({ err: errorMessage(e) }, "scheduled reports failed"),
      );
    const timer = metrics().alertEvaluationSeconds.startTimer();
    const { stores, opened, resolved, full } = await evaluateRound();
    timer();
    if (full) log().info({ stores }, `every active store evaluated (${stores})`);
    if (opened || resolved) log().info({ opened, resolved }, `${opened} incident(s) opened, ${resolved} resolved`);
  },
  [ALERT_DELIVERY_QUEUE]: (job) => deliver(job.deliveryId),
};
