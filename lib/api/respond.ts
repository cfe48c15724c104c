import type { Readable } from "node:stream";
import type { z } from "zod";
import { env } from "../env";
import { readJson, requireText } from "./body";
import { AppError } from "../errors";
import { errorBody } from "./error-body";
import { textProblem } from "../text";
import { API_HEADERS } from "../http/security-headers";
import { requestIdOf } from "../http/request-id";
import { authorize, type Caller } from "../auth/authorize";
import { signedLinkScope } from "../auth/report-links";
import type { Scope } from "../auth/scope";
import type { Operation } from "./contract";

type Handler<C> = (request: Request, context: C) => Promise<Response>;
/** What Next.js (and the front in server/web.ts) hands a route handler besides the request. */
export type RouteContext = { params: Promise<Record<string, string>> };
type Parsed<T> = T extends z.ZodType ? z.infer<T> : undefined;
/** A public operation's scope: no stores (its handler has no caller to see any for). */
const NO_STORES: Scope = { all: false, ownerIds: [] };

/** A declared operation's input, checked: its caller (null for public ones and signed links), path, query and JSON body. */
export interface RouteInput<O extends Operation> {
  caller: O["access"] extends "public" ? null : O["access"] extends "reports-or-link" ? Caller | null : Caller;
  /** The stores the caller may see (a signed link's, for "reports-or-link"; none for a public operation). */
  scope: Scope;
  params: Parsed<O["params"]>;
  query: Parsed<O["query"]>;
  body: Parsed<O["body"]>;
}

/**
 * A route handler for a declared operation (lib/api/contract.ts): the caller is authorized for its access, its
 * path, query and JSON body parsed (400 naming the parameter or field), before `handler` runs; anything thrown
 * answers in the one error shape. Every string of the path, the query and the body must be text (lib/text.ts):
 * no control character, no lone surrogate. The handler carries its operation, which tests check against app/'s
 * routes.
 */
export function route<O extends Operation>(
  operation: O,
  handler: (request: Request, input: RouteInput<O>) => Promise<Response>,
): Handler<RouteContext> & { operation: O } {
  const run = async (request: Request, context: RouteContext) => {
    try {
      const path = operation.params ? await context.params : {};
      const caller = await callerOf(request, operation.access, path.id);
      const input = {
        caller: caller?.caller ?? null,
        scope: caller?.scope ?? NO_STORES,
        params: operation.params ? parseNamed(operation.params, path, "path", operation.checkedByHandler) : undefined,
        query: operation.query ? parseQuery(request, operation.query, operation.checkedByHandler) : undefined,
        body: operation.body ? await parseBody(request, operation.body, operation.bodyBytes) : undefined,
      } as RouteInput<O>;
      return await handler(request, input);
    } catch (e) {
      const { status, body, headers } = errorBody(e, requestIdOf(request));
      return json(body, status, headers);
    }
  };
  return Object.assign(run, { operation });
}

async function callerOf(
  request: Request,
  access: Operation["access"],
  id: string | undefined,
): Promise<{ caller: Caller | null; scope: Scope } | null> {
  if (access === "public") return null;
  if (access === "reports-or-link") {
    const linked = await signedLinkScope(request, id ?? "");
    if (linked) return { caller: null, scope: linked };
  }
  const caller = await authorize(request, access === "reports-or-link" ? "reports" : access);
  return { caller, scope: caller.scope };
}

/**
 * Parses named values (a path's or a query's) with a zod object: a bad one, or one that is not text, answers 400
 * naming it and its value. `checkedByHandler` names values left to the handler, which refuses them in its own words.
 */
function parseNamed<T extends z.ZodObject>(
  schema: T,
  values: Record<string, string>,
  what: "path" | "parameter",
  checkedByHandler: readonly string[] = [],
): z.infer<T> {
  const invalid = (name: string, message: string) =>
    new AppError("invalid_parameter", 400, `${what} ${name} ${JSON.stringify(values[name] ?? null)}: ${message}`);
  for (const name of Object.keys(schema.shape)) {
    const problem = values[name] === undefined || checkedByHandler.includes(name) ? null : textProblem(values[name]);
    if (problem) throw invalid(name, problem);
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(issue.path.join("."), issue.message);
  }
  return parsed.data;
}

export function csvResponse(stream: Readable, init: { status?: number; filename?: string } = {}): Response {
  const headers: Record<string, string> = { ...API_HEADERS, "Content-Type": "text/csv; charset=utf-8" };
  if (init.filename) headers["Content-Disposition"] = `attachment; filename="${init.filename}"`;
  return new Response(webStream(stream, downloadStallMs()), { status: init.status ?? 200, headers });
}

/**
 * How long a download may wait for its client to read more before it is dropped. A client that stops
 * reading (its socket buffers full) would otherwise hold a database connection for as long as it likes.
 */
export function downloadStallMs(): number {
  return env().DOWNLOAD_STALL_SECONDS * 1000;
}

/** Why a download was dropped: its client read nothing for `DOWNLOAD_STALL_SECONDS`. */
export class DownloadStalled extends Error {
  constructor(stallMs: number) {
    super(`the client read nothing for ${stallMs / 1000} s`);
    this.name = "DownloadStalled";
  }
}

/**
 * A web stream over a Node stream that destroys the Node stream (ending its COPY and freeing its database
 * connection) when the client goes away, or when it stalls: asks for nothing more within `stallMs`. The
 * stall is measured here, on the stream, rather than on the socket, so that it holds under any server
 * (the front in server/web.ts, `next start`, `next dev`); a slow database is not a stall, as the clock
 * runs only while a chunk waits for the client.
 */
function webStream(stream: Readable, stallMs: number): ReadableStream<Uint8Array> {
  const chunks = stream[Symbol.asyncIterator]();
  let stalled: NodeJS.Timeout | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      clearTimeout(stalled);
      const { value, done } = await chunks.next();
      if (done) return controller.close();
      controller.enqueue(typeof value === "string" ? Buffer.from(value) : (value as Buffer));
      stalled = setTimeout(() => {
        controller.error(new DownloadStalled(stallMs));
        void chunks.return?.();
      }, stallMs);
    },
    async cancel() {
      clearTimeout(stalled);
      await chunks.return?.();
    },
  });
}

/** True when the caller asked for CSV: `Accept: text/csv` or `?format=csv`. */
export function wantsCsv(request: Request): boolean {
  const url = new URL(request.url);
  return url.searchParams.get("format") === "csv" || (request.headers.get("accept") ?? "").includes("text/csv");
}

/** Parses a request's query string with a zod object; a bad parameter answers 400 naming it and its value. */
function parseQuery<T extends z.ZodObject>(request: Request, schema: T, checkedByHandler?: readonly string[]): z.infer<T> {
  // A parameter given twice counts by its first value, as URLSearchParams.get reads it.
  const values: Record<string, string> = {};
  for (const [name, value] of new URL(request.url).searchParams) values[name] ??= value;
  return parseNamed(schema, values, "parameter", checkedByHandler);
}

/** Parses a small JSON body with a zod schema; a bad field, or one that is not text, answers 400 naming it. */
async function parseBody<T extends z.ZodType>(request: Request, schema: T, maxBytes?: number): Promise<z.infer<T>> {
  const parsed = schema.safeParse(requireText(await readJson(request, "the body must be JSON", maxBytes)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("invalid_body", 400, issue.path.length ? `field ${issue.path.join(".")}: ${issue.message}` : issue.message);
  }
  return parsed.data;
}

// Plain web Responses (not NextResponse), so that these helpers also serve outside Next.js (server/web.ts).
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { ...API_HEADERS, ...headers } });

/** An answer with no body (sign-in, sign-out), with the headers every API answer carries, and any cookies. */
export function noContent(headers: Record<string, string> = {}, cookies: readonly string[] = []): Response {
  const all = new Headers({ ...API_HEADERS, ...headers });
  for (const cookie of cookies) all.append("Set-Cookie", cookie);
  return new Response(null, { status: 204, headers: all });
}
