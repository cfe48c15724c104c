import pg from "pg";
import { env } from "../env";
import { log } from "../log";
import { pool, replicaPool } from "./pool";

// Reads from a replica (DATABASE_READ_URL), with bounded staleness. Every second this process asks the leader
// for its WAL position (pg_current_wal_lsn) and the replica for the position it has replayed; the replica holds
// every commit made before the newest leader reading it has reached, so its staleness is at most the age of that
// reading. While that is within DATABASE_READ_MAX_LAG_MS (and the replica answers), the read-heavy paths read it;
// otherwise, and whenever DATABASE_READ_URL is unset, they read the leader. The readings start with the first
// read and stop after a minute without one.

/** Readings of the leader's WAL position: when, and where (pg_lsn as a number: byte position). */
export interface Reading {
  at: number;
  lsn: bigint;
}

const SAMPLE_MS = 1000;
const IDLE_STOP_MS = 60_000;

const state = globalThis as unknown as {
  storemonReplica?: {
    leader: Reading[];
    /** The replica holds every commit made before this instant (ms), or null when it is unknown or unreachable. */
    holdsUntil: number | null;
    lastUsed: number;
    timer: NodeJS.Timeout | null;
    wasFresh: boolean | null;
  };
};

/** A pg_lsn ("16/B374D848") as the byte position it names. */
export function lsnNumber(lsn: string): bigint {
  const [high, low] = lsn.split("/");
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/**
 * The instant up to which a replica that has replayed `replayed` holds every commit: that of the newest leader
 * reading at or before its position (readings oldest first); null when it is behind all of them.
 */
export function holdsUntil(leader: Reading[], replayed: bigint): number | null {
  for (let i = leader.length - 1; i >= 0; i--) if (leader[i]!.lsn <= replayed) return leader[i]!.at;
  return null;
}

async function sample(): Promise<void> {
  const s = state.storemonReplica!;
  if (Date.now() - s.lastUsed > IDLE_STOP_MS) {
    clearInterval(s.timer!);
    s.timer = null;
    return;
  }
  const at = Date.now();
  const [leader, replica] = await Promise.allSettled([
    pool().query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn"),
    replicaPool()!.query<{ lsn: string | null; recovering: boolean }>(
      "SELECT pg_is_in_recovery() AS recovering, pg_last_wal_replay_lsn()::text AS lsn",
    ),
  ]);
  if (leader.status === "fulfilled") {
    s.leader.push({ at, lsn: lsnNumber(leader.value.rows[0]!.lsn) });
    const keep = Math.ceil(env().DATABASE_READ_MAX_LAG_MS / SAMPLE_MS) + 2;
    if (s.leader.length > keep) s.leader.splice(0, s.leader.length - keep);
  }
  if (replica.status === "rejected") s.holdsUntil = null;
  else {
    const { recovering, lsn } = replica.value.rows[0]!;
    if (!recovering)
      s.holdsUntil = at; // DATABASE_READ_URL reached a leader (a single server, or a promoted one)
    else {
      s.holdsUntil = holdsUntil(s.leader, lsnNumber(lsn ?? "0/0"));
    }
  }
  const fresh = isFresh();
  if (fresh !== s.wasFresh && s.wasFresh !== null) {
    if (fresh) log().info("reads go to the replica again (DATABASE_READ_URL)");
    else log().warn(`the replica is more than ${env().DATABASE_READ_MAX_LAG_MS} ms behind or does not answer: reads go to the leader`);
  }
  s.wasFresh = fresh;
}

function isFresh(): boolean {
  const holdsUntil = state.storemonReplica?.holdsUntil;
  return holdsUntil != null && Date.now() - holdsUntil <= env().DATABASE_READ_MAX_LAG_MS;
}

/**
 * The pool the read-heavy paths read (report pages, store pages and histories, the owners' home): the replica's
 * while it is within the staleness bound, else the leader's. The first call finds no reading yet: the leader.
 */
export function readPool(): pg.Pool {
  const replica = replicaPool();
  if (!replica) return pool();
  state.storemonReplica ??= { leader: [], holdsUntil: null, lastUsed: 0, timer: null, wasFresh: null };
  const s = state.storemonReplica;
  s.lastUsed = Date.now();
  if (!s.timer) {
    s.timer = setInterval(() => void sample().catch(() => {}), SAMPLE_MS).unref();
    void sample().catch(() => {});
  }
  return isFresh() ? replica : pool();
}

/**
 * The pool to read a report's rows and figures from: the replica's when it is fresh and already holds the report
 * complete (a report's rows never change once it is), else the leader's, so that a report a caller has just seen
 * complete is never missing from the page that shows it.
 */
export async function reportReadPool(reportId: string): Promise<pg.Pool> {
  const chosen = readPool();
  if (chosen === pool()) return chosen;
  const { rows } = await chosen
    .query<{ status: string }>("SELECT status FROM reports WHERE id = $1", [reportId])
    .catch(() => ({ rows: [] }));
  return rows[0]?.status === "Complete" ? chosen : pool();
}

/** The pool to read a store's page from: as of a report, that report's (reportReadPool); as of now, readPool's. */
export async function readPoolAsOf(reportId: string | undefined): Promise<pg.Pool> {
  return reportId === undefined ? readPool() : reportReadPool(reportId);
}
