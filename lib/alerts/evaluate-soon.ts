import { sendJob } from "../jobs/queue";
import { ALERT_EVALUATE_QUEUE } from "../jobs/queues";
import { errorMessage, log } from "../log";

/** Asks a worker for the minute's work now: the alert round, and the scheduled reports that are due. */
export async function sendEvaluation(): Promise<void> {
  await sendJob(ALERT_EVALUATE_QUEUE, {});
}

/** At most one round asked for by new polls in this many seconds. */
const ROUND_AFTER_POLLS_SECONDS = 5;

/**
 * Asks for an alert round soon after new polls (the stores they changed wait in alert_changes for it): one request
 * per few seconds however many pushes arrive, the next slot's when this one's is taken, so that a round follows
 * every push within about ten seconds without a round for each. The polls are stored whatever happens here:
 * should the queue be away, the minute's round finds them.
 */
export async function evaluateSoon(): Promise<void> {
  await sendJob(ALERT_EVALUATE_QUEUE, { polled: true }, undefined, {
    singletonKey: "polled",
    singletonSeconds: ROUND_AFTER_POLLS_SECONDS,
    singletonNextSlot: true,
  }).catch((e) => log().error({ err: errorMessage(e) }, "could not queue an alert evaluation"));
}
