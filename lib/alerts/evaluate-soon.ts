import { sendJob } from "../jobs/queue";
import { ALERT_EVALUATE_QUEUE } from "../jobs/queues";
import { errorMessage, log } from "../log";

/** Asks a worker to evaluate these stores now (new polls arrived for them; null: every active store). */
export async function sendEvaluation(storeIds: string[] | null): Promise<void> {
  if (storeIds?.length === 0) return;
  await sendJob(ALERT_EVALUATE_QUEUE, storeIds ? { storeIds } : {});
}

/**
 * Asks for the incidents of stores that new polls touched to be evaluated at once (null: every active store).
 * The polls are stored whatever happens here: should the queue be away, the minute's evaluation finds them.
 */
export async function evaluateSoon(storeIds: string[] | null): Promise<void> {
  await sendEvaluation(storeIds).catch((e) => log().error({ err: errorMessage(e) }, "could not queue an alert evaluation"));
}
