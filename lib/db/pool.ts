import pg from "pg";
import { env } from "../env";
import { databaseUrl } from "./url";
import { isDatabaseUnavailable, noteDatabaseAvailable, setProcessName } from "./availability";
import { logConnectionError } from "./shutdown";
import { watchProgress } from "./stream-watchdog";

// int8 values this project reads are epoch microseconds and counts, all well inside 2^53.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * How long this process waits on its database. A web server answers or fails within a few seconds (a
 * request whose database does not answer gets a 503, not a hung socket); report workers and commands wait
 * long enough for their batches. Set once at the entry point, before the first query.
 */
export type DatabaseRole = "web" | "worker" | "cli";

interface Timeouts {
  /** Waiting for a pooled connection, or for a new one to be made. */
  connect: number;
  /** One statement, enforced by the server (statement_timeout); 0: none. */
  statement: number;
  /** One statement, enforced here: a server that does not answer at all (stopped, unreachable). */
  answer: number;
}

function timeouts(role: DatabaseRole): Timeouts {
  const { DB_WEB_TIMEOUT_MS: web, DB_WORKER_TIMEOUT_MS: worker } = env();
  // A web request's query waits at most connect + answer = DB_WEB_TIMEOUT_MS for its database.
  if (role === "web") return { connect: web * 0.4, statement: web * 0.5, answer: web * 0.6 };
  return { connect: 10_000, statement: worker, answer: worker + 5000 };
}

const state = globalThis as unknown as {
  storemonPool?: pg.Pool;
  storemonStreamPool?: pg.Pool;
  storemonReplicaPool?: pg.Pool;
  storemonDatabaseRole?: DatabaseRole;
};

/** Names this process's part (see DatabaseRole); web servers call it before serving. */
export function setDatabaseRole(role: DatabaseRole): void {
  state.storemonDatabaseRole = role;
  setProcessName(role);
}

export function databaseRole(): DatabaseRole {
  return state.storemonDatabaseRole ?? "cli";
}

/**
 * Connections are made afresh after this long. A server asked to stop with SIGTERM (a "smart" shutdown)
 * waits for every session to end; with connections that live for ever it would never stop.
 */
export const CONNECTION_LIFETIME_SECONDS = 30;

/**
 * A transaction left open by a process that hangs does not hold a snapshot (and vacuum) for ever: a web
 * server's, and any stream's (a load's statements follow one another; its COPY counts as active, however slowly
 * its upload arrives). A report worker's may rightly sit between batches while it computes.
 */
const IDLE_IN_TRANSACTION_MS = 60_000;

/** A pool on the database, or on `replicaUrl` (whose connections say nothing of the database's availability). */
function createPool(max: number, t: Timeouts, idleInTransactionMs: number, replicaUrl?: string): pg.Pool {
  const role = databaseRole();
  const created = new pg.Pool({
    connectionString: replicaUrl ?? databaseUrl(),
    max,
    types,
    // pg_stat_activity tells which process holds a connection (operators, and `npm run chaos`).
    application_name: `storemon-${role}:${process.pid}`,
    connectionTimeoutMillis: Math.round(t.connect),
    // The server cancels a statement at statement_timeout; a server that does not answer at all is given
    // up on here a moment later, and the pool discards that connection.
    statement_timeout: Math.round(t.statement),
    query_timeout: t.answer ? Math.round(t.answer) : undefined,
    idle_in_transaction_session_timeout: idleInTransactionMs,
    idleTimeoutMillis: 10_000,
    maxLifetimeSeconds: CONNECTION_LIFETIME_SECONDS,
    keepAlive: true,
  });
  created.on("error", (e) => logConnectionError("db", e));
  created.on("connect", (client) => {
    if (!replicaUrl) noteDatabaseAvailable();
    // A connection lost while checked out (a run waiting on its snapshot) fails its query; without a
    // listener, its "error" event would also end the process.
    client.on("error", (e) => logConnectionError("db", e));
  });
  return created;
}

/** The connection pool of this process for ordinary queries, with its role's timeouts. */
export function pool(): pg.Pool {
  const role = databaseRole();
  state.storemonPool ??= createPool(10, timeouts(role), role === "web" ? IDLE_IN_TRANSACTION_MS : 0);
  return state.storemonPool;
}

/**
 * A few connections for long streams (feed loads, the poll API, CSV downloads), which may take minutes and so
 * have no statement timeout: their statements are bounded on progress instead (watchProgress: the server must
 * show a sign of life every second, on the connection or by answering a probe within the role's bounds).
 * Bounded in number, and apart from pool(), so that any number of downloads can never starve the status
 * calls: a stream that cannot have a connection within the connect timeout is refused (503).
 */
export function streamPool(): pg.Pool {
  if (!state.storemonStreamPool) {
    const streams = createPool(env().STREAM_CONNECTIONS, { ...timeouts(databaseRole()), statement: 0, answer: 0 }, IDLE_IN_TRANSACTION_MS);
    watchProgress(streams, () => pool().query("SELECT 1"));
    state.storemonStreamPool = streams;
  }
  return state.storemonStreamPool;
}

/** The replica's pool (DATABASE_READ_URL), with the role's timeouts; null when none is configured. Read through lib/db/replica.ts. */
export function replicaPool(): pg.Pool | null {
  const url = env().DATABASE_READ_URL;
  if (!url) return null;
  const role = databaseRole();
  state.storemonReplicaPool ??= createPool(10, timeouts(role), role === "web" ? IDLE_IN_TRANSACTION_MS : 0, url);
  return state.storemonReplicaPool;
}

export async function closePool(): Promise<void> {
  const pools = [state.storemonPool, state.storemonStreamPool, state.storemonReplicaPool];
  state.storemonPool = state.storemonStreamPool = state.storemonReplicaPool = undefined;
  await Promise.all(pools.map((p) => p?.end()));
}

/**
 * Gives back a connection whose transaction failed with `error`: rolled back and returned to the pool, or
 * discarded (the server rolls back when it closes) when its database did not answer, or the rollback failed.
 * A connection whose query timed out is still mid-transaction and must never reach the next caller.
 */
export async function rollbackAndRelease(client: pg.PoolClient, error: unknown): Promise<void> {
  let broken: Error | undefined = isDatabaseUnavailable(error) ? (error as Error) : undefined;
  if (!broken) await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
  client.release(broken);
}

/** Runs `work` in one transaction on one connection: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>, begin = "BEGIN", from: pg.Pool = pool()): Promise<T> {
  const client = await from.connect();
  let result: T;
  try {
    await client.query(begin);
    result = await work(client);
    await client.query("COMMIT");
  } catch (e) {
    await rollbackAndRelease(client, e);
    throw e;
  }
  client.release();
  return result;
}
