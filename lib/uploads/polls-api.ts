import { Readable } from "node:stream";
import Papa from "papaparse";
import { z } from "zod";
import { env } from "../env";
import { AppError } from "../errors";
import { loadFeeds, type FeedRejection } from "../feeds/load";
import { describeProblem } from "../feeds/read";
import { loadUploadedFeed } from "./upload";

export const MAX_POLLS_PER_REQUEST = 10_000;

const pollItems = z
  .array(
    z.object({
      store_id: z.union([z.string(), z.number()]).transform(String),
      timestamp_utc: z.string(),
      status: z.string(),
    }),
  );

export interface IngestResult {
  read: number;
  added: number;
  duplicates: number;
}

const bodyTooLarge = (maxBytes: number) =>
  new AppError("too_large", 413, `the request body is larger than the limit of ${maxBytes.toLocaleString("en-US")} bytes`);

async function readLimited(request: Request, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  if (!request.body) return "";
  for await (const chunk of Readable.fromWeb(request.body as import("node:stream/web").ReadableStream<Uint8Array>)) {
    length += chunk.length;
    if (length > maxBytes) throw bodyTooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * POST /api/polls: a JSON array of {store_id, timestamp_utc, status} or a CSV body (Content-Type: text/csv),
 * validated and merged like a loaded file. Idempotent: a poll already stored for the store and instant is a
 * duplicate, so a retried request adds nothing twice.
 */
export async function ingestPolls(request: Request, actor: string): Promise<IngestResult> {
  const maxBytes = env().API_BODY_MAX_BYTES;
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw bodyTooLarge(maxBytes);

  if ((request.headers.get("content-type") ?? "").startsWith("text/csv")) {
    if (!request.body) throw new AppError("empty_body", 400, "the request has no body");
    const r = await loadUploadedFeed(request.body, { name: "POST /api/polls", kind: "polls", maxBytes, actor });
    return { read: r.rowsRead, added: r.rowsAdded, duplicates: r.rowsDuplicate };
  }

  let json: unknown;
  try {
    json = JSON.parse(await readLimited(request, maxBytes));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("invalid_body", 400, "the body must be a JSON array of {store_id, timestamp_utc, status}, or CSV with Content-Type: text/csv");
  }
  if (Array.isArray(json) && json.length > MAX_POLLS_PER_REQUEST)
    throw new AppError("too_many_polls", 413, `at most ${MAX_POLLS_PER_REQUEST} polls a request (got ${json.length}); send them in several requests`);
  const parsed = pollItems.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("invalid_body", 400, `${issue.path.length ? `item ${issue.path.join(".")}: ` : ""}${issue.message}`);
  }
  const csv = Papa.unparse({ fields: ["store_id", "timestamp_utc", "status"], data: parsed.data.map((p) => [p.store_id, p.timestamp_utc, p.status]) });
  try {
    const [r] = await loadFeeds([{ name: "POST /api/polls", kind: "polls", open: () => Readable.from([csv]) }], { actor });
    return { read: r!.rowsRead, added: r!.rowsAdded, duplicates: r!.rowsDuplicate };
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== "invalid_feed") throw e;
    // Name items by their place in the array (0-based), not by CSV line.
    const rejection = e.details as FeedRejection;
    const items = rejection.problems.map((p) => describeProblem(p).replace(/^POST \/api\/polls line (\d+), column (\w+)/, (_, line, column) => `item ${Number(line) - 2}, field ${column}`));
    throw new AppError("invalid_polls", 422, `${rejection.problemCount} invalid poll${rejection.problemCount === 1 ? "" : "s"}, nothing was added\n${items.join("\n")}`, {
      problemCount: rejection.problemCount,
    });
  }
}
