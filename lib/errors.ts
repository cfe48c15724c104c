/** The one error type the product raises on purpose: a code for machines, a message for people, an HTTP status. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** The body and status any thrown value answers with; unexpected errors say nothing of their internals. */
export function errorBody(e: unknown): { status: number; body: ErrorBody } {
  if (e instanceof AppError) {
    const error: ErrorBody["error"] = { code: e.code, message: e.message };
    if (e.details !== undefined) error.details = e.details;
    return { status: e.status, body: { error } };
  }
  console.error(e);
  return { status: 500, body: { error: { code: "internal", message: "Internal server error" } } };
}
