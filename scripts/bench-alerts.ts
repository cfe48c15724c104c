// npm run bench:alerts -- [--stores N] [--runs R]
// Generates N stores (default 15,000) with two days of polls ending now, loads them into a fresh database
// (storemon_bench_alerts, on the embedded server or DATABASE_URL's), and times the incident evaluation of every
// store: the first run (opening what is down now) and the steady state (R runs, median), as the worker runs it
// every minute.
import os from "node:os";
import path from "node:path";
import { env } from "../lib/env";
import { pointAtDatabase } from "../lib/db/url";
import { databaseServer, freshDatabase } from "../lib/db/prepare";
import { createQueues } from "../lib/jobs/queue";
import { closePool } from "../lib/db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../lib/feeds/load";
import { generateFeeds } from "../lib/sample-data/generate";
import { evaluateStores } from "../lib/alerts/evaluate";
import { commandArgs, positiveInteger } from "./cli";

const { values } = commandArgs(
  { stores: { type: "string" }, runs: { type: "string" } },
  "usage: npm run bench:alerts -- [--stores N] [--runs R]",
);
const stores = positiveInteger("stores", values.stores, 15_000);
const runs = positiveInteger("runs", values.runs, 5);
// It times the evaluation, not a receiver: the environment's default rule must have no webhook.
if (env().ALERT_WEBHOOK_URL) throw new Error("unset ALERT_WEBHOOK_URL for this bench: every incident would be posted to it");

const dir = path.join(os.tmpdir(), `storemon-bench-alerts-${stores}`);
await generateFeeds({ stores, days: 2, end: new Date() }, dir);
const server = await databaseServer({ dir: env().EMBEDDED_PG_DIR, port: env().EMBEDDED_PG_PORT });
pointAtDatabase(await freshDatabase(server.adminUrl, "storemon_bench_alerts", createQueues));
try {
  const [polls] = await loadFeeds(feedSourcesInDirectory(dir), { actor: "bench" });
  const time = async () => {
    const started = performance.now();
    const result = await evaluateStores(null);
    return { ...result, ms: Math.round(performance.now() - started) };
  };
  const first = await time();
  const steady = [];
  for (let i = 0; i < runs; i++) steady.push(await time());
  const ms = steady.map((r) => r.ms).sort((a, b) => a - b);
  console.table({
    data: `${stores.toLocaleString("en")} stores, ${polls!.rowsRead.toLocaleString("en")} polls over the last two days`,
    "first evaluation": `${first.ms} ms (${first.opened} incidents opened)`,
    "steady state": `${ms[Math.floor(ms.length / 2)]} ms median of ${runs} (${ms.join(", ")})`,
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model}`,
  });
} finally {
  await closePool();
  await server.stop();
}
