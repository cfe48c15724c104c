import { sendEvaluation } from "./queue";

/**
 * Asks for the incidents of stores that new polls touched to be evaluated at once (null: every active store).
 * The polls are stored whatever happens here: should the queue be away, the minute's evaluation finds them.
 */
export async function evaluateSoon(storeIds: string[] | null): Promise<void> {
  await sendEvaluation(storeIds).catch((e) => console.error("[alerts] could not queue an evaluation:", e instanceof Error ? e.message : e));
}
