import fs from "node:fs";
import path from "node:path";
import { pointAtDatabase } from "../lib/db/url";
import { freshDatabase } from "../lib/db/prepare";
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
  { stores, days, actor }: { stores: number; days: number; actor: string },
): Promise<{ url: string; loaded: FeedLoadResult[]; loadMs: number }> {
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
