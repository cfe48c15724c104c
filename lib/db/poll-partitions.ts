import type pg from "pg";
import { inTransaction, pool } from "./pool";

// The partitions of polls, one per month in UTC (see the polls_by_month migration): made ahead, dropped when old.
//
// One lock order for everything that writes polls or changes its partitions, so that no two of them deadlock: the
// loads' turn first (a transaction advisory lock: loads, pushes, retention, the hourly round), then the table.
// A report's run holds polls in ROW SHARE mode until its last shard is in, while its shards (and every other
// reader) take ACCESS SHARE as they read. A change of partitions first takes polls in EXCLUSIVE mode, which waits
// for the reports running and holds up the runs that start meanwhile, but no reader; only then ACCESS EXCLUSIVE,
// which waits for the reads under way alone (a request for it that waited for a report would hold up that
// report's own shards behind it, and every reader with them).

/** The loads' turn: taken first by every writer of polls, held to the end of its transaction. */
export const LOADS_TURN_SQL = "SELECT pg_advisory_xact_lock(hashtextextended('load:polls', 0))";

/** Waits for the reports running (their ROW SHARE), holds up those starting, lets readers through. */
export const AFTER_RUNNING_REPORTS_SQL = "LOCK TABLE polls IN EXCLUSIVE MODE";

/** A partition's name for the month it holds. */
const PARTITION = /^polls_(\d{4})_(\d{2})$/;

/**
 * Runs `work` in a transaction that waits at most 3 s for each lock it takes: the loads' turn (unless the caller
 * is a load, which holds it), then polls after the reports running (AFTER_RUNNING_REPORTS_SQL); `work` then
 * makes or drops partitions, which locks polls for an instant. On lock_not_available it is left for another time.
 */
export function withBriefLockWait<T>(work: (client: pg.PoolClient) => Promise<T>, { loadsTurn = true } = {}): Promise<T> {
  return inTransaction(async (client) => {
    await client.query("SET LOCAL lock_timeout = '3s'");
    if (loadsTurn) await client.query(LOADS_TURN_SQL);
    await client.query(AFTER_RUNNING_REPORTS_SQL);
    return work(client);
  });
}

/** Whether a statement gave up waiting for a lock (lock_timeout). */
export const isLockTimeout = (e: unknown) => (e as { code?: string } | null)?.code === "55P03";

/**
 * Makes the partitions of `months` (their first days, YYYY-MM-DD, in UTC) that are not made yet, in a short
 * transaction of its own (withBriefLockWait; a load passes `loadsTurn: false`, as it holds the turn). Returns how
 * many it made; when none are missing, it takes no lock at all.
 */
export async function makePollPartitions(months: string[], { loadsTurn = true } = {}): Promise<number> {
  const { rows: missing } = await pool().query<{ m: string }>(
    `SELECT m FROM unnest($1::text[]) m
     WHERE NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                       WHERE i.inhparent = 'polls'::regclass AND c.relname = 'polls_' || replace(left(m, 7), '-', '_'))`,
    [months],
  );
  if (missing.length === 0) return 0;
  return withBriefLockWait(
    async (client) => {
      const { rows } = await client.query<{ made: boolean }>(
        `SELECT poll_partition_for((m || ' 00:00:00+00')::timestamptz) AS made FROM unnest($1::text[]) m`,
        [missing.map((r) => r.m)],
      );
      return rows.filter((r) => r.made).length;
    },
    { loadsTurn },
  );
}

/**
 * Makes the partitions of this month and the next (UTC) unless they exist, so that polls arriving live never
 * make a load wait for one. Returns the months made.
 */
export async function preparePollPartitions(): Promise<number> {
  const now = new Date();
  const month = (ahead: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1)).toISOString().slice(0, 10);
  return makePollPartitions([month(0), month(1)]);
}

/**
 * Drops the months of polls that lie wholly before `days` days back from the newest poll (or from now, if
 * that is earlier: a feed that stopped does not lose its history, a poll stamped in the future does not empty
 * the table). A month goes only once its last instant is older than that, so between `days` and `days` + 31
 * days of polls are kept. Returns the partitions dropped, oldest first.
 */
export async function dropExpiredPolls(days: number): Promise<string[]> {
  const { rows } = await pool().query<{ name: string; cutoff: Date | null }>(
    `SELECT c.relname AS name,
            least(now(), (SELECT max(timestamp_utc) FROM polls)) - make_interval(days => $1) AS cutoff
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'polls'::regclass ORDER BY c.relname`,
    [days],
  );
  const dropped: string[] = [];
  for (const { name, cutoff } of rows) {
    const month = PARTITION.exec(name);
    if (!month || !cutoff) continue;
    const end = Date.UTC(Number(month[1]), Number(month[2]), 1); // the first instant of the next month
    if (end > cutoff.getTime()) continue;
    await withBriefLockWait(async (client) => {
      // One maker or dropper of partitions at a time (a load, or a round of another worker).
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended('polls:partitions', 0))");
      // A dropped month fires no trigger: the stores whose first poll it holds get their first poll after it
      // (or polls_default's), worked out before the table is locked, which the drop then holds only an instant.
      await client.query(
        `CREATE TEMP TABLE poll_firsts ON COMMIT DROP AS
         SELECT ps.store_id, least((SELECT min(p.timestamp_utc) FROM polls p WHERE p.store_id = ps.store_id AND p.timestamp_utc >= $1),
                                   (SELECT min(d.timestamp_utc) FROM polls_default d WHERE d.store_id = ps.store_id)) AS first
         FROM poll_stores ps WHERE ps.first_poll_at < $1`,
        [new Date(end)],
      );
      await client.query(`DROP TABLE IF EXISTS "${name}"`);
      // A run whose first poll went begins at the first poll left; the poll it followed went with the month.
      await client.query(
        `UPDATE poll_stores ps SET first_poll_at = f.first, run_first_poll_at = greatest(ps.run_first_poll_at, f.first),
           run_after_poll_at = CASE WHEN ps.run_after_poll_at < f.first THEN NULL ELSE ps.run_after_poll_at END
         FROM poll_firsts f WHERE ps.store_id = f.store_id AND f.first IS NOT NULL`,
      );
      await client.query(`DELETE FROM poll_stores ps USING poll_firsts f WHERE ps.store_id = f.store_id AND f.first IS NULL`);
      // Their first days change (and the days before go): the workers' round computes them again.
      await client.query(
        `INSERT INTO store_days_stale (store_id, from_at, to_at) SELECT store_id, coalesce(first, $1), coalesce(first, $1) FROM poll_firsts`,
        [new Date(end)],
      );
    });
    dropped.push(name);
  }
  return dropped;
}

/**
 * The hourly round: next month's partition made, and with a retention (POLL_RETENTION_DAYS) the old months
 * dropped. A table held too long by readers is left for the next round (the error says so). Returns what it did.
 */
export async function maintainPollPartitions(retentionDays: number | undefined): Promise<{ made: number; dropped: string[] }> {
  const made = await preparePollPartitions();
  return { made, dropped: retentionDays === undefined ? [] : await dropExpiredPolls(retentionDays) };
}
