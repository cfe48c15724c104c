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
// 57014 a statement cancelled by its timeout, 25006 a write on a server that takes none: the app writes only to
// its leader, so that is a replica still behind the leader's address while a failover moves it (HAProxy's checks
// and Patroni's promotion take a moment to agree).
const UNAVAILABLE_SQLSTATE = /^(08...|53300|57P0[123]|57014|25006)$/;
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

// SQLSTATE class 53, insufficient resources: the server answers but lacks what a statement needs, and the same
// statement may succeed once that is freed. 53300 (too many connections) is above, as no connection to be had is
// a server out of reach; 53400 (a configured limit reached) is a setting to change, not a passing shortage.
const SHORT_OF: Record<string, string> = { "53000": "resources", "53100": "disk space", "53200": "memory" };

/** What the database is short of, and PostgreSQL's words for it. */
export interface Shortage {
  sqlstate: string;
  of: string;
  message: string;
}

/**
 * For an error that says the database is out of disk space or memory or otherwise short of resources
 * (SQLSTATE 53100, 53200, 53000), what it lacks; else undefined. pg's errors carry the SQLSTATE as `code`;
 * Prisma's as `originalCode`, in the cause of its `meta.driverAdapterError`.
 */
export function databaseShortage(e: unknown): Shortage | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const { code, originalCode, message, originalMessage, cause, meta } = e as Record<string, unknown>;
  const sqlstate = typeof originalCode === "string" ? originalCode : code;
  if (typeof sqlstate === "string" && Object.hasOwn(SHORT_OF, sqlstate))
    return { sqlstate, of: SHORT_OF[sqlstate]!, message: String(originalMessage ?? message ?? sqlstate) };
  const inner = cause ?? (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
  return inner !== undefined && inner !== e ? databaseShortage(inner) : undefined;
}

/** How often a shortage is logged while it lasts (each process, each kind): it says what, not every failed write. */
const SHORTAGE_LOG_EVERY_MS = 60_000;
const shortageLogged = new Map<string, number>();

/** Logs what the database is short of (at most once a minute for each kind), and what to do about it. */
export function noteDatabaseShortage(shortage: Shortage, where: string): void {
  const last = shortageLogged.get(shortage.sqlstate);
  if (last !== undefined && Date.now() - last < SHORTAGE_LOG_EVERY_MS) return;
  shortageLogged.set(shortage.sqlstate, Date.now());
  const remedy =
    shortage.sqlstate === "53100" ? "free space on the disk of PostgreSQL's data directory" : `give PostgreSQL more ${shortage.of}`;
  log().error(
    { where, sqlstate: shortage.sqlstate, postgres: shortage.message },
    `the database is out of ${shortage.of} (${where}: ${shortage.message}): ${remedy}; until then what needs it answers 503`,
  );
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
