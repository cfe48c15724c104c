import { sendEvaluation } from "./queue";
import { errorMessage, log } from "../log";

/**
 * Asks for the incidents of stores that new polls touched to be evaluated at once (null: every active store).
 * The polls are stored whatever happens here: should the queue be away, the minute's evaluation finds them.
 */
export async function evaluateSoon(storeIds: string[] | null): Promise<void> {
  await sendEvaluation(storeIds).catch((e) => log().error({ err: errorMessage(e) }, "could not queue an alert evaluation"));
}
