// Several worker processes share one report through the queue and produce the byte-identical CSV that a
// single process produces.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { generateFeeds } from "../../lib/sample-data/generate";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const databaseUrl = await setUpTestDatabase();
let app: RunningApp;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-scale-"));
  await generateFeeds({ stores: 200, days: 8, seed: 21 }, dir);
  await loadFeeds(feedSourcesInDirectory(dir));
  // Small shards, so that the two workers each take several.
  process.env.REPORT_SHARD_STORES = "15";
  app = await startApp(databaseUrl, { workers: 2 });
  delete process.env.REPORT_SHARD_STORES;
});
afterAll(() => app?.stop());

it("a report computed by two worker processes is byte-identical to one computed by a single process", async () => {
  const asOf = "2024-10-14T20:00:00Z";
  const response = await fetch(`${app.baseUrl}/trigger_report`, { method: "POST", body: JSON.stringify({ as_of: asOf }) });
  expect(response.status).toBe(202);
  const { report_id: id } = (await response.json()) as { report_id: string };
  let status;
  while ((status = await (await fetch(`${app.baseUrl}/get_report?report_id=${id}`)).json()).status === "Running") await sleep(50);
  expect(status).toEqual({ status: "Complete", download_url: `/get_report_file/${id}` });

  const { rows } = await pool().query("SELECT status, shards_total, shards_done, stores_total FROM reports WHERE id = $1", [id]);
  expect(rows[0]).toEqual({ status: "Complete", shards_total: 14, shards_done: 14, stores_total: 200 });
  const shared = await (await fetch(`${app.baseUrl}/get_report_file/${id}`)).text();

  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "storemon-one-")), "report.csv");
  await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/report.ts", "--as-of", asOf, "--out", out], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  expect(shared.split("\n")).toHaveLength(202); // header, 200 stores, final newline
  expect(fs.readFileSync(out, "utf8")).toBe(shared);
});
