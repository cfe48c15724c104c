import crypto from "node:crypto";
import type pg from "pg";
import { inTransaction } from "../db/pool";
import type { Scope } from "../auth/scope";
import { AppError } from "../errors";
import { parseTimestampUtc } from "../feeds/values";
import { sendJob } from "../jobs/queue";
import { REPORT_QUEUE } from "../jobs/queues";

/** 128 random bits, URL-safe: report ids cannot be guessed. */
export function newReportId(): string {
  return crypto.randomBytes(16).toString("base64url");
}

export const REPORT_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * Records a report and queues its computation, in one transaction, and returns its id at once.
 * "now" is `asOf` when given (ISO 8601), else the newest poll in the database at this moment (else the clock).
 * Nothing is recorded when `signal` (the request's) has aborted by the time of the commit.
 * With `enqueue: false` the caller runs the job itself (the CLI); should it die, a worker's sweep picks it up.
 * A caller who sees some owners' stores only (`scope`) gets a report of those stores only: its cost follows what
 * the caller may see.
 */
export async function triggerReport(
  asOf?: string,
  { enqueue = true, signal, requestId, scope }: { enqueue?: boolean; signal?: AbortSignal; requestId?: string; scope?: Scope } = {},
): Promise<string> {
  let asOfValue: string | null = null;
  if (asOf !== undefined) {
    asOfValue = parseTimestampUtc(asOf);
    if (asOfValue === null)
      throw new AppError(
        "invalid_as_of",
        400,
        `as_of must be an ISO 8601 instant such as 2024-10-14T23:55:18Z (got ${JSON.stringify(asOf)})`,
      );
  }
  let id = "";
  await inTransaction(async (client) => {
    id = await recordReport(client, asOfValue, enqueue, requestId, scope && !scope.all ? scope.ownerIds : null);
    // A client that gave up (a slow database) is told nothing: nothing must be made for it either.
    if (signal?.aborted) throw new AppError("client_closed_request", 499, "the client went away before the report was recorded");
  });
  return id;
}

/**
 * Records a report in `client`'s transaction, its computation queued with it unless `enqueue` is false; with the
 * id of the request that asked for it, for its run's log lines; over the stores of `ownerIds` (null: every store).
 */
export async function recordReport(
  client: pg.ClientBase,
  asOf: string | null = null,
  enqueue = true,
  requestId?: string,
  ownerIds: readonly string[] | null = null,
): Promise<string> {
  const id = newReportId();
  // Given an as-of, polls is not read at all: a trigger never waits for the table (a load switching it in).
  await client.query(
    asOf !== null
      ? `INSERT INTO reports (id, as_of, as_of_source, request_id, owner_ids) VALUES ($1, $2::timestamptz, 'request', $3, $4)`
      : `INSERT INTO reports (id, as_of, as_of_source, request_id, owner_ids)
         SELECT $1, coalesce(newest, now()), CASE WHEN newest IS NOT NULL THEN 'newest poll' ELSE 'clock' END, $2, $3
         FROM (SELECT max(timestamp_utc) AS newest FROM polls) p`,
    asOf !== null ? [id, asOf, requestId ?? null, ownerIds] : [id, requestId ?? null, ownerIds],
  );
  if (enqueue) {
    const jobId = await sendJob(REPORT_QUEUE, { reportId: id }, client);
    await client.query("UPDATE reports SET job_id = $2 WHERE id = $1", [id, jobId]);
  }
  return id;
}
