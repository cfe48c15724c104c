import { Readable, Transform } from "node:stream";
import Papa from "papaparse";
import { AppError } from "../errors";
import { detectFeedKind, FEEDS } from "../feeds/kinds";
import { loadFeeds } from "../feeds/load";
import { recordRefusedFile } from "../feeds/import-log";
import { FEED_KINDS, type FeedKind } from "../api/views/feed-kinds";
import type { FeedLoadResult } from "../api/views/feeds";
import { csvSource, emptyFileProblem } from "../feeds/read";
import { describeProblem } from "../feeds/rows";

export interface UploadOptions {
  /** The file's name, for messages and the import log. */
  name: string;
  /** The size the request declares (Content-Length), when it does: too large is refused before reading. */
  declaredBytes?: number;
  /** The feed, when the uploader says; else it is recognised from the header. */
  kind?: FeedKind;
  maxBytes: number;
  actor: string;
  /** See LoadOptions.turnWaitMs. */
  turnWaitMs?: number;
  /** See LoadOptions.push. */
  push?: boolean;
}

const PEEK_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): AppError {
  return new AppError("too_large", 413, `the file is larger than the limit of ${maxBytes.toLocaleString("en-US")} bytes`);
}

/** Passes bytes through, failing the stream once more than `maxBytes` have gone by. */
function byteLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
}

/** Reads the start of a stream (up to the first line end, or PEEK_BYTES) without losing it. */
async function peek(stream: Readable): Promise<{ head: Buffer; rest: Readable }> {
  const iterator = stream[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < PEEK_BYTES) {
    const { value, done } = await iterator.next();
    if (done) break;
    chunks.push(value as Buffer);
    length += (value as Buffer).length;
    if ((value as Buffer).includes(0x0a)) break;
  }
  const head = Buffer.concat(chunks);
  const rest = Readable.from(
    (async function* () {
      yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value as Buffer;
    })(),
  );
  return { head, rest };
}

/**
 * Whether the file's first line is text (no NUL, UTF-8): a binary file is refused at once (415). Bytes that
 * are not UTF-8 further on are the reader's to refuse, with their line and byte offset (422).
 */
function looksLikeText(head: Buffer): boolean {
  const end = head.indexOf(0x0a);
  const firstLine = end === -1 ? head : head.subarray(0, end);
  if (firstLine.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(firstLine, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** The header cells of the first line. */
function headerOf(head: Buffer): string[] {
  const firstLine = head.toString("utf8").split(/\r?\n/)[0] ?? "";
  return (Papa.parse<string[]>(firstLine, { delimiter: "," }).data[0] ?? []).map(String);
}

/** The refusal of an empty file, in the words the loader uses for one. */
export function emptyFile(name: string, kind?: FeedKind): AppError {
  return new AppError("empty_file", 422, describeProblem(emptyFileProblem(name, kind ? FEEDS[kind].label : "feed")));
}

/**
 * Loads one uploaded feed file, streamed: refuses binary data (415), files over the size limit (413) and
 * headers of no known feed (422); then loads it through the same loader as `npm run db:load`, in one
 * transaction, so a file with any invalid row changes nothing.
 */
export async function loadUploadedFeed(body: ReadableStream<Uint8Array>, options: UploadOptions): Promise<FeedLoadResult> {
  const limited = Readable.fromWeb(body as import("node:stream/web").ReadableStream).pipe(byteLimit(options.maxBytes));
  let rest: Readable, kind: FeedKind;
  try {
    if ((options.declaredBytes ?? 0) > options.maxBytes) throw tooLarge(options.maxBytes);
    ({ rest, kind } = await recognise(limited, options));
  } catch (e) {
    if (e instanceof AppError) await recordRefusedFile(options.name, options.kind ?? "unknown", options.actor, e.message);
    throw e;
  }
  const [result] = await loadFeeds([csvSource(options.name, kind, () => rest)], {
    actor: options.actor,
    turnWaitMs: options.turnWaitMs,
    push: options.push,
  });
  return result!;
}

async function recognise(limited: Readable, options: UploadOptions): Promise<{ rest: Readable; kind: FeedKind }> {
  const { head, rest } = await peek(limited);
  if (head.length === 0) throw emptyFile(options.name, options.kind);
  if (!looksLikeText(head)) throw new AppError("not_csv", 415, `${options.name} is not a CSV text file (it holds binary data)`);
  const header = headerOf(head);
  const kind = options.kind ?? detectFeedKind(header);
  if (!kind) {
    const expected = FEED_KINDS.map((k) => `${FEEDS[k].label}: ${FEEDS[k].columns.map((c) => c.names[0]).join(",")}`).join("; ");
    throw new AppError(
      "unknown_feed",
      422,
      `${options.name} line 1: the header ${JSON.stringify(header.join(","))} is not that of a known feed (${expected})`,
    );
  }
  return { rest, kind };
}
