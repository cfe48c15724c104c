// A report's pages right after reports made back to back, at 12,000 stores, over real HTTP against the built app,
// for a caller who sees every store (the figures the report kept) and for an owner's key (figures summed from the
// rows of its stores, here half the fleet). The planner's statistics of report_rows are as autovacuum would have
// left them: taken after earlier reports, before these two (autovacuum is off for the table here, so that it
// cannot take them at a lucky moment).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { generateFeeds } from "../../lib/sample-data/generate";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const STORES = 12_000;
const ALL_KEY = "reports-key-pages-0123456789";
const OWNER_KEY = "reports-key-pages-owner-0123456789";
const databaseUrl = await setUpTestDatabase();
let app: RunningApp;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-pages-"));
  await generateFeeds({ stores: STORES, days: 1, seed: 5 }, dir);
  await loadFeeds(feedSourcesInDirectory(dir));
  await pool().query("ALTER TABLE report_rows SET (autovacuum_enabled = false)");
  await pool().query("INSERT INTO owners (slug, name) VALUES ('half', 'Half the fleet')");
  await pool().query(
    "UPDATE stores SET owner_id = (SELECT id FROM owners WHERE slug = 'half') WHERE store_id IN (SELECT store_id FROM stores ORDER BY store_id LIMIT $1)",
    [STORES / 2],
  );
  app = await startApp(databaseUrl, { workers: 2, env: { API_KEYS: `reports:${ALL_KEY},reports@half:${OWNER_KEY}` } });
}, 300_000);
afterAll(() => app?.stop());

const api = (p: string, key = ALL_KEY, init?: RequestInit) =>
  fetch(`${app.baseUrl}${p}`, { ...init, headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(30_000) });

async function report(): Promise<string> {
  const { report_id: id } = (await (await api("/trigger_report", ALL_KEY, { method: "POST" })).json()) as { report_id: string };
  for (;;) {
    const body = (await (await api(`/get_report?report_id=${id}`)).json()) as { status: string };
    if (body.status === "Complete") return id;
    if (body.status !== "Running") throw new Error(`report ${id}: ${JSON.stringify(body)}`);
    await sleep(20);
  }
}

async function timed(p: string, key: string): Promise<{ status: number; ms: number; body: Record<string, unknown> }> {
  const started = performance.now();
  const response = await api(p, key);
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, ms: performance.now() - started, body };
}

it("the overview and first rows of two reports made back to back answer each in under 2 s at 12,000 stores, whoever asks", async () => {
  const earlier = [await report(), await report()];
  await pool().query("ANALYZE report_rows");
  const ids = [await report(), await report()];

  for (const [key, stores] of [
    [ALL_KEY, STORES],
    [OWNER_KEY, STORES / 2],
  ] as const)
    for (const [i, id] of ids.entries()) {
      const overview = await timed(`/api/reports/${id}`, key);
      expect(overview.status, JSON.stringify(overview.body)).toBe(200);
      expect(overview.ms).toBeLessThan(2000);
      const { totals, previous } = overview.body as { totals: { stores: number }; previous: { id: string; totals: { stores: number } } };
      expect(totals.stores).toBe(stores);
      expect(previous.id).toBe(i === 0 ? earlier[1] : ids[0]);
      expect(previous.totals).toEqual(totals); // the same polls, the same figures

      const rows = await timed(`/api/reports/${id}/rows?pageSize=50&sort=health`, key);
      expect(rows.status).toBe(200);
      expect(rows.ms).toBeLessThan(2000);
      expect(rows.body.total).toBe(stores);
      expect(rows.body.rows).toHaveLength(50);
    }
}, 300_000);
