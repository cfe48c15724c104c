import { z } from "zod";
import { checkDeclaredLength, readJsonArray } from "../api/body";
import { json, route } from "../api/respond";
import { operations } from "../api/contract";
import type { IngestResult } from "../api/views/reports";
import { env } from "../env";
import { AppError } from "../errors";
import { FEEDS } from "../feeds/kinds";
import { loadFeeds } from "../feeds/load";
import { recordsSource } from "../feeds/rows";
import { loadUploadedFeed } from "./upload";
import { evaluateSoon } from "../alerts/evaluate-soon";

export const MAX_POLLS_PER_REQUEST = 10_000;

const pollItem = z.object({
  store_id: z.union([z.string(), z.number()]).transform(String),
  timestamp_utc: z.string(),
  status: z.string(),
});

/**
 * The largest one poll object may be. A poll is about 100 bytes of JSON ({"store_id": a 19-digit id or a
 * UUID, "timestamp_utc", "status"}); this leaves room for long ids and pretty-printing, while bounding what
 * parsing one item can make.
 */
export const MAX_POLL_ITEM_BYTES = 4096;

/**
 * How long a push waits for another load of polls to finish (a --replace holds the table's writers back for as long
 * as it runs): then 503 loads_busy with Retry-After, rather than a request held open for minutes.
 */
const TURN_WAIT_MS = 10_000;

const tooManyPolls = () =>
  new AppError(
    "too_many_polls",
    413,
    `at most ${MAX_POLLS_PER_REQUEST.toLocaleString("en-US")} polls a request; send them in several requests`,
  );

/** POST /api/polls, served by its route handler and by the web server's front (server/web.ts). */
export const postPolls = route(operations.postPolls, async (request, { caller }) => json(await ingestPolls(request, caller.actor)));

/**
 * POST /api/polls: a JSON array of {store_id, timestamp_utc, status} or a CSV body (Content-Type: text/csv),
 * validated and merged like a loaded file. Idempotent: a poll already stored for the store and instant is a
 * duplicate, so a retried request adds nothing twice.
 */
export async function ingestPolls(request: Request, actor: string): Promise<IngestResult> {
  const maxBytes = env().API_BODY_MAX_BYTES;
  checkDeclaredLength(request.headers.get("content-length"), maxBytes);

  if ((request.headers.get("content-type") ?? "").startsWith("text/csv")) {
    if (!request.body) throw new AppError("empty_body", 400, "the request has no body");
    const r = await loadUploadedFeed(request.body, {
      name: "POST /api/polls",
      kind: "polls",
      maxBytes,
      actor,
      turnWaitMs: TURN_WAIT_MS,
      push: true,
    });
    if (r.rowsAdded > 0) await evaluateSoon();
    return { read: r.rowsRead, added: r.rowsAdded, duplicates: r.rowsDuplicate };
  }

  const polls = await readJsonArray(request, pollItem, {
    maxBytes,
    maxItems: MAX_POLLS_PER_REQUEST,
    maxItemBytes: MAX_POLL_ITEM_BYTES,
    tooMany: tooManyPolls,
    invalid: "the body must be a JSON array of {store_id, timestamp_utc, status}, or CSV with Content-Type: text/csv",
  });
  // Their values are checked by the feed's own rules in the loader, which names a bad one by item and field.
  const [r] = await loadFeeds([recordsSource("POST /api/polls", FEEDS.polls, polls)], {
    actor,
    turnWaitMs: TURN_WAIT_MS,
    push: true,
  });
  if (r!.rowsAdded > 0) await evaluateSoon();
  return { read: r!.rowsRead, added: r!.rowsAdded, duplicates: r!.rowsDuplicate };
}
