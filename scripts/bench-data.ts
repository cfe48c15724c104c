import fs from "node:fs";
import path from "node:path";
import { pointAtDatabase } from "../lib/db/url";
import { existingDatabase, freshDatabase } from "../lib/db/prepare";
import { pool } from "../lib/db/pool";
import { createQueues } from "../lib/jobs/queue";
import { feedSourcesInDirectory, loadFeeds } from "../lib/feeds/load";
import type { FeedLoadResult } from "../lib/api/views/feeds";
import { generateFeeds } from "../lib/sample-data/generate";

/**
 * A fresh database `name` on the server at `adminUrl` holding generated data, `stores` x `days` (made with the
 * project's generator once per size and kept in bench/data/), this process's connections pointed at it: what
 * `npm run bench`, `bench:footprint` and `chaos` measure on. `loadMs`: the load alone.
 */
export async function generatedDatabase(
  adminUrl: string,
  name: string,
  { stores, days, actor, reuse = false }: { stores: number; days: number; actor: string; reuse?: boolean },
): Promise<{ url: string; loaded: FeedLoadResult[]; loadMs: number }> {
  if (reuse) return reusedDatabase(adminUrl, name, stores);
  const dataDir = path.resolve("bench/data", `${stores}x${days}`);
  if (!fs.existsSync(path.join(dataDir, "store_status.csv"))) {
    console.log(`generating ${stores} stores x ${days} days into ${dataDir} ...`);
    await generateFeeds({ stores, days }, dataDir);
  }
  const url = await freshDatabase(adminUrl, name, createQueues);
  pointAtDatabase(url);
  console.log(`loading ${stores} stores x ${days} days into ${name} ...`);
  const started = performance.now();
  const loaded = await loadFeeds(feedSourcesInDirectory(dataDir), { actor });
  return { url, loaded, loadMs: performance.now() - started };
}

/**
 * With `--reuse`: the database `name` as an earlier run loaded it (a million stores take an hour and a half to
 * load), checked to hold `stores` stores; what its load read comes from its import log, and `loadMs` is that load's
 * whole time (the log keeps no time per file: each file's `seconds` is the whole load's).
 */
async function reusedDatabase(
  adminUrl: string,
  name: string,
  stores: number,
): Promise<{ url: string; loaded: FeedLoadResult[]; loadMs: number }> {
  const url = await existingDatabase(adminUrl, name, createQueues);
  if (!url) throw new Error(`--reuse: there is no database ${name} on this server; run once without --reuse to load it`);
  pointAtDatabase(url);
  const held = (await pool().query<{ n: number }>("SELECT count(*)::int AS n FROM poll_stores")).rows[0]!.n;
  if (held !== stores) throw new Error(`--reuse: ${name} holds ${held} stores, not --stores ${stores}; run without --reuse to load them`);
  const { rows } = await pool().query<FeedLoadResult & { started: Date; finished: Date }>(
    `SELECT DISTINCT ON (kind) file_name AS file, kind, rows_read AS "rowsRead", rows_added AS "rowsAdded", rows_duplicate AS "rowsDuplicate",
            extract(epoch FROM finished_at - started_at)::float8 AS seconds, started_at AS started, finished_at AS finished
     FROM import_log WHERE outcome = 'loaded' AND finished_at IS NOT NULL ORDER BY kind, id DESC`,
  );
  if (!rows.some((r) => r.kind === "polls")) throw new Error(`--reuse: ${name}'s import log has no completed load of polls`);
  const loadMs = Math.max(...rows.map((r) => r.finished.getTime())) - Math.min(...rows.map((r) => r.started.getTime()));
  console.log(
    `reusing ${name}: ${stores} stores, loaded ${rows
      .map((r) => r.finished.toISOString())
      .sort()
      .at(-1)}`,
  );
  return { url, loaded: rows.map(({ started: _s, finished: _f, ...r }) => r), loadMs };
}
