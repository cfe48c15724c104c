// Whether this process can reach its database, as its last connections found. An outage is logged once
// when it starts and once when it ends, not once per failing query (workers poll the queue twice a second).
import { log } from "../log";

const state = globalThis as unknown as { storemonDatabaseDown?: { since: number }; storemonProcessName?: string };

/** Names this process in the outage lines (web, worker), so that a shared log tells who lost the database. */
export function setProcessName(name: string): void {
  state.storemonProcessName = name;
}

// SQLSTATE classes and codes that mean "no answer from the database now", not "this query is wrong":
// 08 connection exceptions, 53300 too many connections, 57P01-57P03 shutdown/crash/starting up,
// 57014 a statement cancelled by its timeout.
const UNAVAILABLE_SQLSTATE = /^(08...|53300|57P0[123]|57014)$/;
const UNAVAILABLE_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
// node-postgres's own messages for a connection that could not be had, or was lost, or did not answer.
const UNAVAILABLE_MESSAGE =
  /Can't reach database server|timeout exceeded when trying to connect|Connection terminated|connection timeout|Query read timeout|not queryable|Connection ended|the database system is (starting up|shutting down)/i;

/** True for an error that says the database cannot be reached or did not answer in time. */
export function isDatabaseUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const { code } = e as { code?: unknown };
  if (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
  if (UNAVAILABLE_MESSAGE.test(e.message)) return true;
  // Prisma wraps the driver's error; pg's connect can reject with one per address tried.
  if (e.cause !== undefined && isDatabaseUnavailable(e.cause)) return true;
  return e instanceof AggregateError && e.errors.some(isDatabaseUnavailable);
}

/** Records a failure to reach the database; logs it only when it starts an outage. */
export function noteDatabaseUnavailable(e: unknown, where?: string): void {
  if (state.storemonDatabaseDown) return;
  state.storemonDatabaseDown = { since: Date.now() };
  const message = e instanceof Error ? e.message || (e as { code?: string }).code : String(e);
  log().error(
    { where, err: message },
    `database unreachable (${where ? `${where}: ` : ""}${message}); retrying, and saying so here when it is back`,
  );
}

const backListeners = new Set<() => void>();

/** Calls `listener` whenever the database answers again after an outage. Returns a function that stops it. */
export function onDatabaseBack(listener: () => void): () => void {
  backListeners.add(listener);
  return () => backListeners.delete(listener);
}

/** Records that a connection succeeded; logs it (and tells the listeners) when it ends an outage. */
export function noteDatabaseAvailable(): void {
  const down = state.storemonDatabaseDown;
  if (!down) return;
  state.storemonDatabaseDown = undefined;
  for (const listener of backListeners) listener();
  log().info(
    { outageSeconds: (Date.now() - down.since) / 1000 },
    `database reachable again after ${((Date.now() - down.since) / 1000).toFixed(1)} s`,
  );
}

/** Whether the last contact with the database failed. */
export function databaseDown(): boolean {
  return state.storemonDatabaseDown !== undefined;
}
