import { z } from "zod";
import { AppError } from "../errors";
import { databaseShortage, isDatabaseUnavailable, noteDatabaseShortage, noteDatabaseUnavailable, type Shortage } from "../db/availability";
import { log } from "../log";

// The one shape every error answers in, {"error": {"code", "message"}}, and the function that turns anything
// thrown into it.

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({
        description: "For machines: invalid_parameter, not_found, unauthorized, database_unavailable, …",
        example: "invalid_parameter",
      }),
      message: z.string().meta({ description: "For people: names the parameter, field, file or line, and the value" }),
      details: z.unknown().optional(),
      requestId: z
        .string()
        .optional()
        .meta({ description: "The request's id (X-Request-Id), to quote when asking about it; it is in the logs too" }),
    }),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Seconds a client is asked to wait before trying again while the database cannot be reached. */
const RETRY_AFTER_SECONDS = 5;

/** The answer to any request made while the database cannot be reached or does not answer in time. */
export function databaseUnavailable(): AppError {
  return new AppError("database_unavailable", 503, "the database is unavailable or not answering; try again shortly", undefined, {
    "Retry-After": String(RETRY_AFTER_SECONDS),
  });
}

/**
 * The answer to a request the database could not serve for want of disk space, memory or other resources:
 * unavailable for now, as for a client it is (the same code), saying what is short.
 */
function databaseShort(shortage: Shortage): AppError {
  return new AppError("database_unavailable", 503, `the database is out of ${shortage.of}; try again shortly`, undefined, {
    "Retry-After": String(RETRY_AFTER_SECONDS),
  });
}

/**
 * The body, status and headers any thrown value answers with. A database that cannot be reached, or is out of
 * disk space or memory, is a 503 (logged once per outage, or once a minute while short); other unexpected
 * errors are a 500 that says nothing of their internals.
 */
export function errorBody(e: unknown, requestId?: string): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  const shortage = e instanceof AppError ? undefined : databaseShortage(e);
  if (shortage) {
    noteDatabaseShortage(shortage, "request");
    e = databaseShort(shortage);
  } else if (!(e instanceof AppError) && isDatabaseUnavailable(e)) {
    noteDatabaseUnavailable(e, "request");
    e = databaseUnavailable();
  }
  const prismaCode = (e as { code?: unknown } | null)?.code;
  if (!(e instanceof AppError) && (prismaCode === "P2002" || prismaCode === "P2025"))
    // Two requests made the same thing at once, or one removed what the other changes.
    e =
      prismaCode === "P2002"
        ? new AppError("conflict", 409, "that exists already")
        : new AppError("not_found", 404, "that does not exist (any more)");
  if (e instanceof AppError) {
    const error: ErrorBody["error"] = { code: e.code, message: e.message };
    if (e.details !== undefined) error.details = e.details;
    if (requestId) error.requestId = requestId;
    return { status: e.status, body: { error }, headers: e.headers };
  }
  log().error({ err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e), requestId }, "unexpected error");
  return { status: 500, body: { error: { code: "internal", message: "Internal server error", ...(requestId ? { requestId } : {}) } } };
}
