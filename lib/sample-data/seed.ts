import path from "node:path";
import { pool } from "../db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../feeds/load";
import { generateFeeds } from "./generate";

export const SAMPLE = { stores: 200, days: 10, seed: 1 } as const;

/**
 * On a database that has never had data (no polls and nothing in the import log), generates and loads a
 * sample so that a new user sees a working dashboard. Returns whether it loaded anything.
 */
export async function loadSampleIfEmpty(dataDir: string): Promise<boolean> {
  const { rows } = await pool().query<{ empty: boolean }>(
    "SELECT NOT EXISTS (SELECT 1 FROM polls) AND NOT EXISTS (SELECT 1 FROM import_log) AS empty",
  );
  if (!rows[0]!.empty) return false;
  const dir = path.join(dataDir, "sample");
  await generateFeeds(SAMPLE, dir);
  await loadFeeds(feedSourcesInDirectory(dir), { actor: "sample data" });
  return true;
}
