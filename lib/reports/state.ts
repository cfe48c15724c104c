import { pool } from "../db/pool";
import { notify } from "../db/notifications";
import { errorMessage, log } from "../log";

/** A key for the session advisory lock that marks a report as being computed by some connection. */
export const REPORT_LOCK_SQL = "hashtextextended('report:' || $1, 0)";

/** Shards NOTIFY here (payload: the report id) when they commit or fail, waking the report's run. */
export const PROGRESS_CHANNEL = "report_progress";

/**
 * Marks attempt `attempt` of a report Failed with the error's message (a later attempt is left alone). The
 * log has the stack of an unexpected error; a lost database (`expected`) is one line.
 */
export async function markFailed(
  reportId: string,
  attempt: number,
  error: unknown,
  { expected = false, requestId }: { expected?: boolean; requestId?: string } = {},
): Promise<void> {
  const message = errorMessage(error);
  log().error(
    { reportId, requestId, attempt, err: expected || !(error instanceof Error) ? message : { message, stack: error.stack } },
    "report failed",
  );
  await pool().query(
    `UPDATE reports SET status = 'Failed', finished_at = now(), error = $3 WHERE id = $1 AND attempts = $2 AND status = 'Running'`,
    [reportId, attempt, message],
  );
  await notify(PROGRESS_CHANNEL, reportId);
}
