// npm run bench:ingest -- [--stores N] [--days D] [--seconds S] [--clients C] [--batch B]
// The poll API under load: generated data loaded into a fresh database, the app started as `npm start` does, then
// C clients push batches of B polls (each store's next poll a minute after its last, as pollers send what they
// saw) for S seconds while one client asks for a report's status; prints polls/s and the latencies, and writes
// them as JSON under bench/results/.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { env } from "../lib/env";
import { databaseServer } from "../lib/db/prepare";
import { closePool, pool } from "../lib/db/pool";
import { startApp } from "./app-processes";
import { generatedDatabase } from "./bench-data";
import { commandArgs, positiveInteger } from "./cli";

const { values } = commandArgs(
  {
    stores: { type: "string" },
    days: { type: "string" },
    seconds: { type: "string" },
    clients: { type: "string" },
    batch: { type: "string" },
  },
  "usage: npm run bench:ingest -- [--stores N] [--days D] [--seconds S] [--clients C] [--batch B]",
);
const number = (name: keyof typeof values, fallback: number) => positiveInteger(name, values[name], fallback);
const [stores, days, seconds, clients, batch] = [
  number("stores", 4500),
  number("days", 17),
  number("seconds", 20),
  number("clients", 8),
  number("batch", 500),
];
const INGEST_KEY = "bench-ingest-key-0123456789";
const REPORTS_KEY = "bench-reports-key-0123456789";

const server = await databaseServer({ dir: env().EMBEDDED_PG_DIR, port: env().EMBEDDED_PG_PORT });
const { url } = await generatedDatabase(server.adminUrl, "storemon_bench_ingest", { stores, days, actor: "bench" });
const { rows } = await pool().query<{ store_id: string; last: Date }>(
  "SELECT store_id, last_poll_at AS last FROM poll_stores ORDER BY store_id",
);
const before = Number((await pool().query("SELECT count(*) FROM polls")).rows[0].count);
const next = rows.map((r) => ({ id: r.store_id, at: r.last.getTime() }));
let turn = 0;
/** The next batch: the next stores in turn, each with a poll a minute after the last one sent for it. */
function nextBatch(): string {
  const polls = [];
  for (let i = 0; i < batch; i++) {
    const store = next[turn++ % next.length]!;
    store.at += 60_000;
    polls.push({
      store_id: store.id,
      timestamp_utc: new Date(store.at).toISOString(),
      status: (store.at / 60_000) % 11 ? "active" : "inactive",
    });
  }
  return JSON.stringify(polls);
}

const app = await startApp(url, { workers: 2, env: { API_KEYS: `ingest:${INGEST_KEY},reports:${REPORTS_KEY}` } });
try {
  const trigger = await fetch(`${app.baseUrl}/trigger_report`, { method: "POST", headers: { Authorization: `Bearer ${REPORTS_KEY}` } });
  const { report_id: reportId } = (await trigger.json()) as { report_id: string };
  console.log(`pushing batches of ${batch} polls from ${clients} clients for ${seconds} s over ${stores} stores ...`);
  const [ingest, status] = await Promise.all([
    autocannon({
      url: app.baseUrl,
      connections: clients,
      duration: seconds,
      requests: [
        {
          method: "POST",
          path: "/api/polls",
          headers: { Authorization: `Bearer ${INGEST_KEY}`, "Content-Type": "application/json" },
          setupRequest: (request) => ({ ...request, body: nextBatch() }),
        },
      ],
    }),
    autocannon({
      url: `${app.baseUrl}/get_report?report_id=${reportId}`,
      connections: 1,
      duration: seconds,
      headers: { Authorization: `Bearer ${REPORTS_KEY}` },
    }),
  ]);
  const added = Number((await pool().query("SELECT count(*) FROM polls")).rows[0].count) - before;
  const stale = Number((await pool().query("SELECT count(*) FROM store_days_stale")).rows[0].count);
  const result = {
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model.trim()}`,
    date: new Date().toISOString(),
    stores,
    days,
    clients,
    batch,
    seconds,
    pollsAdded: added,
    pollsPerSecond: Math.round(added / seconds),
    batchP50ms: ingest.latency.p50,
    batchP99ms: ingest.latency.p99,
    batchErrors: ingest.errors + ingest.non2xx,
    statusP50ms: status.latency.p50,
    statusP99ms: status.latency.p99,
    statusErrors: status.errors + status.non2xx,
    staleSpansLeft: stale,
  };
  console.table(result);
  const out = path.resolve("bench/results", `ingest-${stores}x${days}-${result.date.replace(/[:.]/g, "-")}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
  console.log(`written to ${path.relative(process.cwd(), out)}`);
} finally {
  await app.stop();
  await closePool();
  await server.stop();
}
