import type pg from "pg";
import { env } from "../env";
import { AppError } from "../errors";
import { AFTER_RUNNING_REPORTS_SQL, isLockTimeout, makePollPartitions } from "../db/poll-partitions";
import { pool } from "../db/pool";
import { log } from "../log";

// How a load writes the polls it staged (staging_polls, see load.ts), holding the loads' turn. Into a table that
// holds polls they are merged. A replace, or a load into an empty table, writes them into a fresh set of monthly
// partitions instead (polls_load_*) while readers keep reading the polls there are, then switches the partitions
// in one instant (switchPolls): no reader, report or trigger waits for the load, only for the switch.

/** Months a load's span may cover for each of them to get a partition; a wider span gets its polls' months only. */
const SPAN_MONTHS = 36;
/** Months one load may make partitions for (the newest); polls of older months go to the default partition. */
const MAX_MONTHS_MADE = 120;

/**
 * The months (first days, YYYY-MM-DD) that the staged polls need partitions for: the months between the first and
 * the last poll, found from their span (a third of the time of listing each poll's month), unless the span is wide
 * (polls years apart): then only the months that have polls, the newest 120.
 */
async function stagedMonths(client: pg.ClientBase): Promise<string[]> {
  const month = (expr: string) => `date_trunc('month', ${expr} AT TIME ZONE 'UTC')`;
  const { rows } = await client.query<{ first: string | null; count: number | null }>(
    `SELECT ${month("min(timestamp_utc)")}::text AS first,
            (extract(year FROM age(${month("max(timestamp_utc)")}, ${month("min(timestamp_utc)")})) * 12
             + extract(month FROM age(${month("max(timestamp_utc)")}, ${month("min(timestamp_utc)")})))::int + 1 AS count
     FROM staging_polls`,
  );
  const { first, count } = rows[0]!;
  if (first === null || count === null) return []; // no polls
  const { rows: months } = await client.query<{ m: string }>(
    count <= SPAN_MONTHS
      ? `SELECT to_char(m, 'YYYY-MM-DD') AS m FROM generate_series($1::timestamp, $1::timestamp + make_interval(months => $2 - 1), interval '1 month') m`
      : `SELECT DISTINCT to_char(${month("timestamp_utc")}, 'YYYY-MM-DD') AS m FROM staging_polls ORDER BY 1 DESC LIMIT ${MAX_MONTHS_MADE}`,
    count <= SPAN_MONTHS ? [first, count] : [],
  );
  return months.map((r) => r.m);
}

/**
 * Adds the staged polls that are not stored yet (a poll with the same store and instant is a duplicate), after
 * their months get partitions. Making a partition locks polls for an instant, so it is done in a short
 * transaction of its own that waits at most a few seconds (for the reports running, then for the reads under
 * way): should it not get the table, the load goes on and those polls are kept in polls_default.
 */
export async function mergePolls(client: pg.ClientBase): Promise<number> {
  const months = await stagedMonths(client);
  await makePollPartitions(months, { loadsTurn: false }).catch((e) => {
    if (!isLockTimeout(e)) throw e;
    log().warn({ months: months.length }, "polls' partitions not made (the table was busy): this load's new months go to polls_default");
  });
  const inserted = await client.query(
    `INSERT INTO polls (store_id, timestamp_utc, status)
     SELECT store_id, timestamp_utc, status FROM staging_polls ON CONFLICT DO NOTHING`,
  );
  return inserted.rowCount ?? 0;
}

/**
 * Whether polls holds no poll (a first load writes fresh partitions, as a replace does); asked by a load that
 * holds the loads' turn, on a connection apart from its own, so that its transaction holds no lock on polls
 * before mergePolls makes partitions in another.
 */
export async function pollsAreEmpty(): Promise<boolean> {
  const { rows } = await pool().query<{ empty: boolean }>("SELECT NOT EXISTS (SELECT 1 FROM polls) AS empty");
  return rows[0]!.empty;
}

/**
 * Writes the staged polls into polls_load, a table partitioned like polls with the staged months' partitions and
 * a default one, nobody else sees until the switch: in store order (the order reports read them in), with the
 * indexes polls has (whatever the migrations made) built once afterwards, three times faster than maintaining
 * them row by row. Each month's partition also gets a CHECK of its bounds, so that attaching it to polls needs
 * no scan. Returns the polls written.
 */
export async function loadFreshPartitions(client: pg.ClientBase): Promise<number> {
  await client.query(`CREATE TABLE polls_load (LIKE polls) PARTITION BY RANGE (timestamp_utc)`);
  for (const m of await stagedMonths(client)) {
    const name = `polls_load_${m.slice(0, 7).replace("-", "_")}`;
    const { rows } = await client.query<{ low: string; high: string }>(
      `SELECT $1::text || ' 00:00:00+00' AS low, to_char($1::date + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00' AS high`,
      [m],
    );
    const { low, high } = rows[0]!;
    await client.query(`CREATE TABLE "${name}" PARTITION OF polls_load FOR VALUES FROM ('${low}') TO ('${high}')`);
    await client.query(
      `ALTER TABLE "${name}" ADD CONSTRAINT "${name}_bounds" CHECK (timestamp_utc >= '${low}' AND timestamp_utc < '${high}')`,
    );
  }
  await client.query("CREATE TABLE polls_load_default PARTITION OF polls_load DEFAULT");
  await client.query("SET LOCAL work_mem = '256MB'");
  await client.query("SET LOCAL maintenance_work_mem = '512MB'");
  const inserted = await client.query(
    `INSERT INTO polls_load (store_id, timestamp_utc, status)
     SELECT DISTINCT ON (store_id, timestamp_utc) store_id, timestamp_utc, status
     FROM staging_polls ORDER BY store_id, timestamp_utc`,
  );
  const { rows: indexes } = await client.query<{ definition: string; constraint: string | null }>(
    `SELECT pg_get_indexdef(x.indexrelid) AS definition, pg_get_constraintdef(c.oid) AS constraint
     FROM pg_index x LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
     WHERE x.indrelid = 'polls'::regclass`,
  );
  for (const index of indexes)
    await client.query(
      index.constraint
        ? `ALTER TABLE polls_load ADD ${index.constraint}`
        : index.definition.replace(
            /^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ /,
            (_, unique = "") => `CREATE ${unique}INDEX ON polls_load `,
          ),
    );
  // Triggers keep poll_stores (each store's state) for writes to polls: the new partitions' stores are worked out
  // here, before the switch, as the triggers would (see the fleet model's migration).
  await client.query(
    `CREATE TEMP TABLE poll_stores_load ON COMMIT DROP AS
     WITH last AS (SELECT DISTINCT ON (store_id) store_id, timestamp_utc AS last_poll_at, status = 'active' AS last_active
                   FROM polls_load ORDER BY store_id, timestamp_utc DESC),
     runs AS (SELECT p.store_id, min(p.timestamp_utc) AS first_poll_at,
                     max(p.timestamp_utc) FILTER (WHERE (p.status = 'active') <> l.last_active) AS run_after_poll_at
              FROM polls_load p JOIN last l USING (store_id) GROUP BY p.store_id)
     SELECT l.store_id, r.first_poll_at, l.last_poll_at, l.last_active, r.run_after_poll_at,
            coalesce((SELECT min(p.timestamp_utc) FROM polls_load p WHERE p.store_id = l.store_id AND p.timestamp_utc > r.run_after_poll_at),
                     r.first_poll_at) AS run_first_poll_at
     FROM last l JOIN runs r USING (store_id)`,
  );
  return inserted.rowCount ?? 0;
}

/** The partitions of `table`, its default last, with their bounds as PostgreSQL states them. */
async function partitionsOf(client: pg.ClientBase, table: string): Promise<{ name: string; bound: string }[]> {
  const { rows } = await client.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass
     ORDER BY pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', c.relname`,
    [table],
  );
  return rows;
}

/** Seconds the switch waits for the reads under way, once the reports running are done. */
const READS_WAIT_SECONDS = 10;

/**
 * Puts the partitions loadFreshPartitions wrote (none: polls emptied) in the place of polls' partitions, in the
 * load's transaction. It waits for the reports running, holding up those that start meanwhile (they then read
 * the new polls), but no reader; then for the reads under way, and holds the table for the instant it takes to
 * drop the old partitions and attach the new ones. (Polls pushed afterwards into a month the load had none of are
 * kept in polls_default until the workers' hourly round makes this month's and the next.)
 */
export async function switchPolls(client: pg.ClientBase): Promise<void> {
  const reportSeconds = env().REPORT_JOB_EXPIRE_SECONDS;
  try {
    await client.query(`SET LOCAL lock_timeout = '${reportSeconds}s'`);
    await client.query(AFTER_RUNNING_REPORTS_SQL);
    await client.query(`SET LOCAL lock_timeout = '${READS_WAIT_SECONDS}s'`);
    await client.query("LOCK TABLE polls IN ACCESS EXCLUSIVE MODE");
    await client.query("SET LOCAL lock_timeout = DEFAULT");
  } catch (e) {
    if (!isLockTimeout(e)) throw e;
    throw new AppError(
      "polls_busy",
      503,
      `polls stayed in use (by a report for more than ${reportSeconds} s, or by another session's reads for more than ${READS_WAIT_SECONDS} s): nothing was loaded; try again`,
      undefined,
      { "Retry-After": "5" },
    );
  }
  for (const { name } of await partitionsOf(client, "polls")) await client.query(`DROP TABLE "${name}"`);
  const loaded = (await client.query("SELECT to_regclass('polls_load') IS NOT NULL AS loaded")).rows[0].loaded as boolean;
  if (!loaded) await client.query("CREATE TABLE polls_default PARTITION OF polls DEFAULT");
  for (const { name, bound } of loaded ? await partitionsOf(client, "polls_load") : []) {
    const final = name.replace(/^polls_load_/, "polls_");
    await client.query(`ALTER TABLE polls_load DETACH PARTITION "${name}"`);
    await client.query(`ALTER TABLE "${name}" RENAME TO "${final}"`);
    const { rows: indexes } = await client.query<{ name: string }>(
      "SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = $1::regclass",
      [final],
    );
    for (const index of indexes)
      await client.query(`ALTER INDEX "${index.name}" RENAME TO "${index.name.replace(/^polls_load_/, "polls_")}"`);
    await client.query(`ALTER TABLE polls ATTACH PARTITION "${final}" ${bound}`);
    if (bound !== "DEFAULT") await client.query(`ALTER TABLE "${final}" DROP CONSTRAINT "${name}_bounds"`);
  }
  if (loaded) await client.query("DROP TABLE polls_load");
  // Dropped partitions fire no trigger: poll_stores is set to the new polls' stores, and their days all made stale
  // (the load's refreshStoreDays computes them before it commits).
  await client.query("TRUNCATE poll_stores, store_days, store_days_stale");
  if (loaded) {
    await client.query(
      `INSERT INTO poll_stores (store_id, first_poll_at, last_poll_at, last_active, run_first_poll_at, run_after_poll_at)
       SELECT store_id, first_poll_at, last_poll_at, last_active, run_first_poll_at, run_after_poll_at FROM poll_stores_load`,
    );
    await client.query(
      "INSERT INTO store_days_stale (store_id, from_at, to_at) SELECT store_id, first_poll_at, last_poll_at FROM poll_stores_load",
    );
  }
}
