import { databaseShortage, isDatabaseUnavailable, noteDatabaseShortage, noteDatabaseUnavailable } from "./availability";
import { log } from "../log";

// When `npm start` is stopped with Ctrl-C, the terminal signals every process of the group at once: the
// embedded PostgreSQL shuts down while the web server and workers are still closing their connections, and
// the server's notice can arrive before the process has handled its own signal. Such errors are expected
// then, and not worth reporting.

const state = globalThis as unknown as { storemonStopping?: boolean };

/** Marks this process as stopping (called from its signal handlers). */
export function markStopping(): void {
  state.storemonStopping = true;
}

export function stopping(): boolean {
  return state.storemonStopping === true;
}

/**
 * Logs an error of an idle connection, the queue or a listener. A lost database is logged once for the
 * whole outage (see availability.ts), a full disk once a minute while it lasts; one that the server's shutdown caused (admin_shutdown) is logged a
 * moment later, and only if this process is not stopping by then.
 */
export function logConnectionError(prefix: string, error: Error & { code?: string }): void {
  const shortage = databaseShortage(error);
  if (shortage) noteDatabaseShortage(shortage, prefix);
  else if (error.code === "57P01") setTimeout(() => state.storemonStopping || noteDatabaseUnavailable(error, prefix), 500).unref();
  else if (isDatabaseUnavailable(error)) noteDatabaseUnavailable(error, prefix);
  else log().error({ where: prefix, err: error.message }, `${prefix}: ${error.message}`);
}

/**
 * pg-boss marks a job complete or failed without awaiting it: with the database gone, that rejection is
 * unhandled, and Node would end the process. Such a rejection is an outage like any other (the job is
 * retried when it expires), and so is one of a full disk; any other unhandled rejection still ends the
 * process, as it would by default.
 */
export function survivePromisesLostToOutages(who: string): void {
  process.on("unhandledRejection", (reason) => {
    if (isDatabaseUnavailable(reason)) return noteDatabaseUnavailable(reason, "queue");
    const shortage = databaseShortage(reason);
    if (shortage) return noteDatabaseShortage(shortage, "queue");
    log().fatal(
      { who, err: reason instanceof Error ? { message: reason.message, stack: reason.stack } : String(reason) },
      "unhandled rejection",
    );
    process.exit(1);
  });
}
