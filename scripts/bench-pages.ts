// npm run bench:pages -- [--stores N] [--days D] [--rounds R]
// The report page's JSON right after reports made back to back: generated data (the project's generator, kept
// in bench/data/) loaded into a fresh database, the app as `npm start` runs it, two reports and the statistics
// autovacuum would take after them; then R rounds of two reports back to back, each followed at once by the
// first view of both reports' overview and pages of rows. Prints a table and writes it as JSON under bench/results/.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { env } from "../lib/env";
import { databaseServer } from "../lib/db/prepare";
import { closePool, pool } from "../lib/db/pool";
import { startApp } from "./app-processes";
import { generatedDatabase } from "./bench-data";
import { commandArgs, positiveInteger } from "./cli";

const { values } = commandArgs(
  { stores: { type: "string" }, days: { type: "string" }, rounds: { type: "string" } },
  "usage: npm run bench:pages -- [--stores N] [--days D] [--rounds R]",
);
const stores = positiveInteger("stores", values.stores, 12_000);
const days = positiveInteger("days", values.days, 7);
const rounds = positiveInteger("rounds", values.rounds, 3);

const server = await databaseServer({ dir: env().EMBEDDED_PG_DIR, port: env().EMBEDDED_PG_PORT });
const { url } = await generatedDatabase(server.adminUrl, "storemon_bench_pages", { stores, days, actor: "bench" });
const app = await startApp(url, { workers: env().WORKERS, env: { TRIGGER_LIMIT_PER_MINUTE: "1000000" } });
const api = (p: string, init?: RequestInit) => fetch(`${app.baseUrl}${p}`, init);

async function report(): Promise<{ id: string; ms: number }> {
  const started = performance.now();
  const { report_id: id } = (await (await api("/trigger_report", { method: "POST" })).json()) as { report_id: string };
  for (;;) {
    const body = (await (await api(`/get_report?report_id=${id}`)).json()) as { status: string; error?: string };
    if (body.status === "Complete") return { id, ms: performance.now() - started };
    if (body.status === "Failed") throw new Error(`report failed: ${body.error}`);
    await sleep(20);
  }
}

/** The pages the report page asks for; the first is what it opens with. */
const pages = (id: string) => ({
  overview: `/api/reports/${id}`,
  rowsByHealth: `/api/reports/${id}/rows?pageSize=50&sort=health`,
  rowsByUptimeWeekDesc: `/api/reports/${id}/rows?pageSize=50&sort=uptime_last_week&dir=desc`,
  rowsByNameLastPage: `/api/reports/${id}/rows?pageSize=50&sort=name&page=${Math.ceil(stores / 50)}`,
  rowsSearch: `/api/reports/${id}/rows?pageSize=50&q=12`,
  rowsDownLastDay: `/api/reports/${id}/rows?pageSize=50&only=down_day&sort=downtime_last_day&dir=desc`,
});
type Page = keyof ReturnType<typeof pages>;
const firstViews: Record<string, number[]> = {};
const failures: string[] = [];
const reportMs: number[] = [];

try {
  console.log("two reports, then the statistics autovacuum would take ...");
  await report();
  await report();
  await pool().query("ANALYZE report_rows");
  for (let round = 0; round < rounds; round++) {
    const pair = [await report(), await report()];
    reportMs.push(...pair.map((r) => r.ms));
    for (const { id } of pair)
      for (const [page, p] of Object.entries(pages(id))) {
        const started = performance.now();
        const response = await api(p);
        await response.text();
        (firstViews[page] ??= []).push(performance.now() - started);
        if (!response.ok) failures.push(`${p}: ${response.status}`);
      }
  }
  const max = (xs: number[]) => Math.round(Math.max(...xs) * 10) / 10;
  const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! * 10) / 10;
  const result = {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), cpu: os.cpus()[0]?.model, node: process.version },
    data: { stores, days },
    reportsMs: reportMs.map(Math.round),
    firstViewMs: Object.fromEntries(Object.entries(firstViews).map(([page, xs]) => [page, { median: median(xs), max: max(xs) }])) as Record<
      Page,
      { median: number; max: number }
    >,
    failures,
  };
  console.table(result.firstViewMs);
  console.log(
    `reports: ${result.reportsMs.join(", ")} ms; ${failures.length} failed views${failures.length ? `: ${failures.join("; ")}` : ""}`,
  );
  fs.mkdirSync("bench/results", { recursive: true });
  const file = path.join("bench/results", `pages-${stores}x${days}-${result.date.replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`written to ${file}`);
} finally {
  await app.stop();
  await closePool();
  await server.stop();
}
