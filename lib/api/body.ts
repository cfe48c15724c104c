// Request bodies, read within limits. Every route that reads a body reads it through here, so no body is
// ever held or parsed whole before its size is known: the limit is checked as the bytes arrive (a declared
// Content-Length over it is refused before reading anything), and a JSON array is parsed item by item, its
// count checked as it goes. The web server's front (server/web.ts) applies the same limits, by path, before
// Next.js reads a byte (Next.js's proxy step would otherwise read the whole body first).
import type { z } from "zod";
import { env } from "../env";
import { AppError } from "../errors";
import { firstTextProblem } from "../text";

/** The largest small JSON body: trigger_report's {"as_of"}, the session's {"token"}. */
export const SMALL_BODY_BYTES = 4096;

export function bodyTooLarge(maxBytes: number): AppError {
  return new AppError("too_large", 413, `the request body is larger than the limit of ${maxBytes.toLocaleString("en-US")} bytes`);
}

/** Refuses (413) a declared Content-Length over `maxBytes`, before anything is read. */
export function checkDeclaredLength(contentLength: string | null | undefined, maxBytes: number): void {
  if (Number(contentLength ?? 0) > maxBytes) throw bodyTooLarge(maxBytes);
}

/** How an operation's body is bounded, as lib/api/contract.ts declares it (nothing declared: a small body). */
export interface BodyLimit {
  bodyBytes?: number;
  bodyStreamed?: "stream" | "route";
}

/**
 * What the web server's front refuses before Next.js reads anything, by the path's declared limit: a declared
 * length over it (413), and, for a small body, none declared (411: only a length bounds what Next.js's proxy
 * step buffers). A streamed body may come in any framing; one its route bounds ("route": uploads, which record
 * a refused file in the import history) is left to it. Paths that take no body get the small limit.
 */
export function frontBodyRefusal(
  headers: { "content-length"?: string; "transfer-encoding"?: string },
  { bodyBytes, bodyStreamed }: BodyLimit,
): AppError | null {
  if (bodyStreamed === "route") return null;
  const small = bodyStreamed === undefined;
  const maxBytes = small ? (bodyBytes ?? SMALL_BODY_BYTES) : env().API_BODY_MAX_BYTES;
  if (Number(headers["content-length"] ?? 0) > maxBytes) return bodyTooLarge(maxBytes);
  if (small && headers["transfer-encoding"] !== undefined)
    return new AppError("length_required", 411, `send the body with a Content-Length (at most ${maxBytes.toLocaleString("en-US")} bytes)`);
  return null;
}

/** The body's chunks as they arrive; 413 as soon as more than `maxBytes` are declared or have arrived. */
export async function* bodyChunks(request: Request, maxBytes: number): AsyncGenerator<Uint8Array> {
  checkDeclaredLength(request.headers.get("content-length"), maxBytes);
  if (!request.body) return;
  const reader = request.body.getReader();
  let seen = 0;
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      seen += next.value.byteLength;
      if (seen > maxBytes) throw bodyTooLarge(maxBytes);
      yield next.value;
    }
  } finally {
    // Stops reading a body refused part-way (or abandoned by the caller); nothing once it has ended.
    reader.cancel().catch(() => {});
  }
}

/** A small body as text (a form, JSON); 413 over `maxBytes`. */
export async function readText(request: Request, maxBytes = SMALL_BODY_BYTES): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of bodyChunks(request, maxBytes)) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** A small JSON body: undefined when empty, 413 over `maxBytes`, 400 with `invalid` when it is not JSON. */
export async function readJson(request: Request, invalid: string, maxBytes = SMALL_BODY_BYTES): Promise<unknown> {
  const text = (await readText(request, maxBytes)).trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_body", 400, invalid);
  }
}

/** A parsed JSON body whose every string and key is text (lib/text.ts); else 400 naming the first field that is not. */
export function requireText<T>(json: T): T {
  const found = firstTextProblem(json);
  if (found) throw new AppError("invalid_body", 400, found.path.length ? `field ${found.path.join(".")}: ${found.problem}` : found.problem);
  return json;
}

/**
 * A small form body (application/x-www-form-urlencoded) whose every field, name and value, is text; else 400
 * naming it. `checkedByHandler` names fields whose values the handler judges itself (a sign-in's `next`, which
 * anyone can write and which falls back to home when it is not a page of this site).
 */
export async function readForm(request: Request, checkedByHandler: readonly string[] = []): Promise<URLSearchParams> {
  const form = new URLSearchParams(await readText(request));
  // Every field, not only the first of a name (the one the routes read), so that the check depends on no route.
  for (const [name, value] of form) requireText(checkedByHandler.includes(name) ? name : { [name]: value });
  return form;
}

export interface JsonArrayLimits {
  maxBytes: number;
  maxItems: number;
  /** The largest one item may be: each item is parsed on its own, so this bounds what one parse can make. */
  maxItemBytes: number;
  /** The 413 for more than `maxItems` items. */
  tooMany: () => AppError;
  /** The 400 message for a body that is not a JSON array. */
  invalid: string;
}

const [OPEN_ARRAY, CLOSE_ARRAY, OPEN_OBJECT, CLOSE_OBJECT, COMMA, QUOTE, BACKSLASH] = [...'[]{},"\\'].map((c) => c.charCodeAt(0));
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * A JSON array read as its bytes arrive: each top-level item is cut out by a scanner that follows strings
 * and nesting, parsed on its own and checked with `item` at once, so what is held is the valid items so far
 * and one item's bytes. More items than `maxItems`, or an item over `maxItemBytes`, is a 413 at once,
 * without reading the rest; an invalid item is a 400 naming it by its 0-based index.
 */
export async function readJsonArray<T>(request: Request, item: z.ZodType<T>, limits: JsonArrayLimits): Promise<T[]> {
  const items: T[] = [];
  const invalid = () => new AppError("invalid_body", 400, limits.invalid);
  let state = "before" as "before" | "items" | "after"; // (not narrowed: the loop changes it)
  let depth = 0,
    inString = false,
    escaped = false,
    separators = 0;
  let held: Uint8Array[] = [],
    heldBytes = 0;

  // After the first invalid item the rest is still counted (not parsed), so that too many items is a 413
  // whatever they hold, as it would be if the array were parsed first.
  let count = 0;
  let firstError = undefined as AppError | undefined; // (set in finishItem)
  const finishItem = (last: Uint8Array) => {
    const text = firstError
      ? ""
      : Buffer.concat([...held, last])
          .toString("utf8")
          .trim();
    held = [];
    heldBytes = 0;
    if (count === 0 && separators === 0 && state === "after" && text === "" && !firstError) return; // []
    if (++count > limits.maxItems) throw limits.tooMany();
    if (firstError) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      firstError = new AppError("invalid_body", 400, `item ${count - 1}: not JSON (${limits.invalid})`);
      return;
    }
    const parsed = item.safeParse(value);
    if (parsed.success) return void items.push(parsed.data);
    const issue = parsed.error.issues[0]!;
    firstError = new AppError("invalid_body", 400, `item ${[count - 1, ...issue.path].join(".")}: ${issue.message}`);
    items.length = 0;
  };
  const itemTooLarge = () =>
    new AppError(
      "too_large",
      413,
      `item ${count} is larger than the limit of ${limits.maxItemBytes.toLocaleString("en-US")} bytes an item`,
    );

  for await (const chunk of bodyChunks(request, limits.maxBytes)) {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
      } else if (state === "before") {
        if (b === OPEN_ARRAY) {
          state = "items";
          start = i + 1;
        } else if (!isSpace(b)) throw invalid();
      } else if (state === "after") {
        if (!isSpace(b)) throw invalid();
      } else if (b === QUOTE) inString = true;
      else if (b === OPEN_ARRAY || b === OPEN_OBJECT) depth++;
      else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
        if (depth > 0) depth--;
        else if (b === CLOSE_OBJECT) throw invalid();
        else {
          if (heldBytes + i - start > limits.maxItemBytes) throw itemTooLarge();
          state = "after";
          finishItem(chunk.subarray(start, i));
        }
      } else if (b === COMMA && depth === 0) {
        if (heldBytes + i - start > limits.maxItemBytes) throw itemTooLarge();
        separators++;
        finishItem(chunk.subarray(start, i));
        start = i + 1;
      }
    }
    if (state === "items") {
      heldBytes += chunk.length - start;
      if (heldBytes > limits.maxItemBytes) throw itemTooLarge();
      if (!firstError) held.push(chunk.subarray(start));
    }
  }
  if (state !== "after") throw invalid();
  if (firstError) throw firstError;
  return items;
}
