import type { Readable } from "node:stream";
import type { z } from "zod";
import { AppError, errorBody } from "../errors";

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/** Wraps a route handler so that anything it throws answers in the one error shape. */
export function route<C = unknown>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (e) {
      const { status, body, headers } = errorBody(e);
      return json(body, status, headers);
    }
  };
}

export function csvResponse(stream: Readable, init: { status?: number; filename?: string } = {}): Response {
  const headers: Record<string, string> = { "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store" };
  if (init.filename) headers["Content-Disposition"] = `attachment; filename="${init.filename}"`;
  return new Response(webStream(stream), { status: init.status ?? 200, headers });
}

/** A web stream over a Node stream that ends the Node stream when the client goes away mid-download. */
function webStream(stream: Readable): ReadableStream<Uint8Array> {
  const chunks = stream[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(typeof value === "string" ? encoder.encode(value) : new Uint8Array(value));
    },
    async cancel() {
      await chunks.return?.();
    },
  });
}

/** True when the caller asked for CSV: `Accept: text/csv` or `?format=csv`. */
export function wantsCsv(request: Request): boolean {
  const url = new URL(request.url);
  return url.searchParams.get("format") === "csv" || (request.headers.get("accept") ?? "").includes("text/csv");
}

/** Parses a request's query string with a zod schema; a bad parameter answers 400 naming it and its value. */
export function parseQuery<T extends z.ZodType>(request: Request, schema: T): z.infer<T> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join(".");
    throw new AppError("invalid_parameter", 400, `parameter ${name} ${JSON.stringify(params[name] ?? null)}: ${issue.message}`);
  }
  return parsed.data;
}

// Plain web Responses (not NextResponse), so that these helpers also serve outside Next.js (scripts/web.ts).
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
