import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import { refreshStoreDays } from "../fleet/store-days";
import { AppError } from "../errors";
import { CopyIn } from "../db/copy";
import { isLockTimeout, LOADS_TURN_SQL } from "../db/poll-partitions";
import { databaseShortage, isDatabaseUnavailable } from "../db/availability";
import { rollbackAndRelease, streamPool } from "../db/pool";
import { FEEDS } from "./kinds";
import { FEED_KINDS, type FeedKind } from "../api/views/feed-kinds";
import type { FeedLoadResult } from "../api/views/feeds";
import { recordLoads, recordRefusal } from "./import-log";
import { csvSource } from "./read";
import { describeProblem, PROBLEMS_LISTED, type FeedProblem, type FeedRejection, type FeedSource } from "./rows";
import { loadFreshPartitions, mergePolls, pollsAreEmpty, switchPolls } from "./load-polls";
import { countFeed } from "../observability/metrics";

export type { FeedSource } from "./rows";

export interface LoadOptions {
  /** Empty the three feed tables first. */
  replace?: boolean;
  /** Who loads, for the import log. */
  actor?: string;
  /**
   * How long to wait for the loads' turn while another load holds it (a replace takes minutes) before refusing
   * with a 503; unset, as long as it takes. The poll API sets it: a poller retries, a request does not hang.
   */
  turnWaitMs?: number;
  /**
   * A push of polls (the poll API): it merges into polls (never into fresh partitions, even when polls is empty)
   * and leaves the stores' days it changes to the workers' round, which refreshes the stale days of many pushes at
   * once (until then readers take those stores from their polls). A load computes its days before it commits.
   */
  push?: boolean;
}

export function rejectionMessage(r: FeedRejection): string {
  const lines = r.problems.map(describeProblem);
  const more = r.problemCount > r.problems.length ? `\n... and ${r.problemCount - r.problems.length} more` : "";
  const unit = r.problems[0]?.item === undefined ? "row" : "item";
  return `${r.file}: ${r.problemCount} invalid ${unit}${r.problemCount === 1 ? "" : "s"}, nothing was loaded\n${lines.join("\n")}${more}`;
}

/** The feed files `npm run db:load` finds in a directory. */
export function feedSourcesInDirectory(dir: string): FeedSource[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new AppError("not_found", 404, `${dir} is not a directory`);
  const sources = FEED_KINDS.map((kind) => ({ kind, file: path.join(dir, FEEDS[kind].fileName) }))
    .filter(({ file }) => fs.existsSync(file))
    .map(({ kind, file }) => csvSource(path.basename(file), kind, () => fs.createReadStream(file)));
  if (sources.length === 0)
    throw new AppError("no_feed_files", 400, `${dir} holds none of ${FEED_KINDS.map((k) => FEEDS[k].fileName).join(", ")}`);
  return sources;
}

const TABLE_OF: Record<FeedKind, string> = {
  polls: "polls",
  business_hours: "business_hours",
  time_zones: "store_timezones",
  stores: "stores",
};
const ANALYZE_AFTER_ROWS = 10_000;

const STAGING: Record<FeedKind, { columns: string; table: string; copy: string[] }> = {
  polls: {
    table: "staging_polls",
    columns: 'store_id TEXT COLLATE "C", timestamp_utc TIMESTAMPTZ(6), status poll_status',
    copy: ["store_id", "timestamp_utc", "status"],
  },
  business_hours: {
    table: "staging_business_hours",
    columns: 'store_id TEXT COLLATE "C", day_of_week SMALLINT, start_time_local TIME(0), end_time_local TIME(0)',
    copy: ["store_id", "day_of_week", "start_time_local", "end_time_local"],
  },
  time_zones: {
    table: "staging_time_zones",
    columns: 'ordinal INTEGER, store_id TEXT COLLATE "C", timezone_str TEXT',
    copy: ["ordinal", "store_id", "timezone_str"],
  },
  stores: {
    table: "staging_stores",
    columns: 'ordinal INTEGER, store_id TEXT COLLATE "C", name TEXT, address TEXT, owner TEXT',
    copy: ["ordinal", "store_id", "name", "address", "owner"],
  },
};

/** Kinds whose rows are numbered as they come, so that a store named twice takes its last row. */
const NUMBERED: ReadonlySet<FeedKind> = new Set(["time_zones", "stores"]);

async function count(client: pg.ClientBase, sql: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(sql);
  return rows[0]!.n;
}

/** Moves the staged rows of one file into its table; returns rows added and stores replaced. */
async function mergeStaged(
  client: pg.ClientBase,
  kind: FeedKind,
  freshPolls: boolean,
): Promise<{ added: number; storesReplaced?: number }> {
  if (kind === "polls") return { added: await (freshPolls ? loadFreshPartitions(client) : mergePolls(client)) };
  if (kind === "stores") return mergeStores(client);
  const target = TABLE_OF[kind];
  const columns = STAGING[kind].copy.filter((c) => c !== "ordinal").join(", ");
  const storesReplaced = await count(
    client,
    `SELECT count(DISTINCT t.store_id)::int AS n FROM ${target} t WHERE t.store_id IN (SELECT store_id FROM ${STAGING[kind].table})`,
  );
  await client.query(`DELETE FROM ${target} WHERE store_id IN (SELECT store_id FROM ${STAGING[kind].table})`);
  // A store named twice in a time-zone file takes its last zone, as a later file would replace an earlier one.
  const rows =
    kind === "time_zones"
      ? `SELECT DISTINCT ON (store_id) ${columns} FROM staging_time_zones ORDER BY store_id, ordinal DESC`
      : `SELECT DISTINCT ${columns} FROM ${STAGING[kind].table}`;
  const inserted = await client.query(`INSERT INTO ${target} (${columns}) ${rows} ON CONFLICT DO NOTHING`);
  return { added: inserted.rowCount ?? 0, storesReplaced };
}

/**
 * Writes the staged directory rows: a store's name and address are replaced; its owner is set when the row
 * names one (owners not known yet are made, named after their slug) and kept when the cell is empty, so that a
 * directory file without owners never takes stores away from their owners.
 */
async function mergeStores(client: pg.ClientBase): Promise<{ added: number; storesReplaced: number }> {
  await client.query(
    `INSERT INTO owners (slug, name) SELECT DISTINCT owner, owner FROM staging_stores WHERE owner IS NOT NULL ON CONFLICT (slug) DO NOTHING`,
  );
  const storesReplaced = await count(
    client,
    `SELECT count(*)::int AS n FROM stores WHERE store_id IN (SELECT store_id FROM staging_stores)`,
  );
  const written = await client.query(
    `INSERT INTO stores (store_id, name, address, owner_id)
     SELECT DISTINCT ON (s.store_id) s.store_id, s.name, s.address, o.id
     FROM staging_stores s LEFT JOIN owners o ON o.slug = s.owner ORDER BY s.store_id, s.ordinal DESC
     ON CONFLICT (store_id) DO UPDATE
       SET name = excluded.name, address = excluded.address, owner_id = coalesce(excluded.owner_id, stores.owner_id)`,
  );
  return { added: (written.rowCount ?? 0) - storesReplaced, storesReplaced };
}

function rejected(r: FeedRejection): AppError {
  return new AppError("invalid_feed", 422, rejectionMessage(r), r);
}

/** A file copied into its staging table, every row checked: what merging it needs. */
interface Staged {
  source: FeedSource;
  rowsRead: number;
  seconds: number;
}

/** Copies a file into its staging table (a temporary one), checking every row; refuses it whole at any problem. */
async function stage(client: pg.ClientBase, source: FeedSource): Promise<Staged> {
  const started = performance.now();
  const staging = STAGING[source.kind];
  await client.query(`CREATE TEMP TABLE ${staging.table} (${staging.columns}) ON COMMIT DROP`);
  const copy = new CopyIn(client, staging.table, staging.copy);
  const problems: FeedProblem[] = [];
  let problemCount = 0;
  let rowsRead = 0;
  let ordinal = 0; // a store named twice in a file: its later row wins
  try {
    for await (const batch of source.batches()) {
      rowsRead += batch.read;
      problemCount += batch.problems.length;
      problems.push(...batch.problems.slice(0, PROBLEMS_LISTED - problems.length));
      if (problemCount > 0 || batch.rows.length === 0) continue;
      await copy.write(NUMBERED.has(source.kind) ? batch.rows.map((row) => [ordinal++, ...row]) : batch.rows);
    }
    if (problemCount > 0) throw rejected({ file: source.name, problems, problemCount });
  } catch (e) {
    await copy.abort(e as Error);
    throw e;
  }
  await copy.end();
  return { source, rowsRead, seconds: (performance.now() - started) / 1000 };
}

async function merge(client: pg.ClientBase, { source, rowsRead, seconds }: Staged, freshPolls: boolean): Promise<FeedLoadResult> {
  const started = performance.now();
  const { added, storesReplaced } = await mergeStaged(client, source.kind, freshPolls);
  return {
    file: source.name,
    kind: source.kind,
    rowsRead,
    rowsAdded: added,
    rowsDuplicate: rowsRead - added,
    ...(storesReplaced === undefined ? {} : { storesReplaced }),
    seconds: seconds + (performance.now() - started) / 1000,
  };
}

/**
 * Takes the loads' turn (see lib/db/poll-partitions.ts): loads write one at a time, and every writer of polls
 * takes this turn before the table, so that none deadlocks with another. With `waitMs`, a load still under way
 * after that long refuses this one with a 503.
 */
async function takeLoadsTurn(client: pg.ClientBase, waitMs: number | undefined): Promise<void> {
  if (waitMs === undefined) return void (await client.query(LOADS_TURN_SQL));
  await client.query(`SET LOCAL lock_timeout = ${Math.round(waitMs)}`);
  try {
    await client.query(LOADS_TURN_SQL);
  } catch (e) {
    if (!isLockTimeout(e)) throw e;
    throw new AppError(
      "loads_busy",
      503,
      `another load has been writing polls for more than ${Math.round(waitMs / 1000)} s (a --replace, or a large file): nothing of this request was added; send it again`,
      undefined,
      { "Retry-After": "5" },
    );
  }
  await client.query("SET LOCAL lock_timeout = DEFAULT");
}

/**
 * Loads feed files in one transaction: every file is loaded, or (when any row of any file is invalid)
 * nothing is. Polls are merged (a poll already stored for the same store and instant is a duplicate);
 * business hours and time zones replace what is stored for each store the file names. Every file's
 * outcome is recorded in the import log.
 *
 * The files are read and checked into staging tables first; then, in the loads' turn, written. A replace takes
 * the turn before it reads anything, so that polls pushed while it runs wait for it and land after it (or are
 * refused with a 503 by the poll API's wait). Its polls, and a first load's, go into fresh partitions switched
 * in at the end (load-polls.ts), so that reports, triggers and pages keep reading the old polls meanwhile; its
 * hours and zones are deleted and written in the transaction, which readers do not see before it commits.
 */
export async function loadFeeds(sources: FeedSource[], options: LoadOptions = {}): Promise<FeedLoadResult[]> {
  const actor = options.actor ?? "cli";
  const startedAt = new Date();
  // A load may take minutes: it runs on a stream connection, with no statement timeout.
  const client = await streamPool().connect();
  const results: FeedLoadResult[] = [];
  try {
    await client.query("BEGIN");
    const push = options.push === true && !options.replace;
    if (options.replace) await takeLoadsTurn(client, options.turnWaitMs);
    const staged: Staged[] = [];
    for (const source of sources) staged.push(await stage(client, source));
    if (!options.replace) await takeLoadsTurn(client, options.turnWaitMs);
    const freshPolls = options.replace === true || (!push && staged.some((s) => s.source.kind === "polls") && (await pollsAreEmpty()));
    if (options.replace) for (const table of ["business_hours", "store_timezones"]) await client.query(`DELETE FROM ${table}`);
    for (const s of staged) results.push(await merge(client, s, freshPolls));
    if (freshPolls) await switchPolls(client);
    // The stores' days that these polls, hours and zones changed, computed before they are seen.
    if (!push) await refreshStoreDays(client);
    await client.query("COMMIT");
  } catch (e) {
    await rollbackAndRelease(client, e);
    // A database that does not answer, or has no room, could not take the import log's lines either: waiting
    // on it to refuse them would only keep the caller from its 503 (and log a failure per request).
    if (!isDatabaseUnavailable(e) && !databaseShortage(e)) await recordRefusal(sources, actor, startedAt, e);
    throw e;
  }
  client.release();
  // After a bulk load, fresh statistics let the planner pick index scans for the report's queries at once;
  // small loads (the poll API's batches) leave that to autovacuum rather than sample the table every time.
  const tables = [...new Set(results.filter((r) => r.rowsAdded >= ANALYZE_AFTER_ROWS).map((r) => TABLE_OF[r.kind]))];
  if (tables.length > 0) await streamPool().query(`ANALYZE ${tables.join(", ")}`);
  await recordLoads(results, actor, startedAt);
  for (const r of results) countFeed(r.kind, "loaded", { added: r.rowsAdded, duplicate: r.rowsDuplicate });
  return results;
}
