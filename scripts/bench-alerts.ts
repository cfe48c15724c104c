// npm run bench:alerts -- [--stores N] [--runs R] [--minutes M [--compare K]]
// Generates N stores (default 15,000) with two days of polls ending now, loads them into a fresh database
// (storemon_bench_alerts, on the embedded server or DATABASE_URL's), and times the incident evaluation of every
// store: the first run (opening what is down now) and the steady state (R runs, median), as the worker ran it
// every minute before the incremental round.
// With --minutes: the minute's rhythm for M minutes after the first round (which evaluates every store): each
// minute a sixtieth of the stores send a poll, then the minute's round (evaluateRound) and the evaluation of every
// active store (evaluateStores(null)) run at the same instant, in turns first, and each is timed. --compare K runs
// the evaluation of every store only every K-th minute (a million stores take minutes to evaluate in full).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { env } from "../lib/env";
import { pointAtDatabase } from "../lib/db/url";
import { databaseServer, freshDatabase } from "../lib/db/prepare";
import { createQueues } from "../lib/jobs/queue";
import { closePool, pool } from "../lib/db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../lib/feeds/load";
import { generateFeeds } from "../lib/sample-data/generate";
import { evaluateStores } from "../lib/alerts/evaluate";
import { evaluateRound } from "../lib/alerts/round";
import { isoMicros } from "../lib/uptime";
import { commandArgs, positiveInteger } from "./cli";

const { values } = commandArgs(
  { stores: { type: "string" }, runs: { type: "string" }, minutes: { type: "string" }, compare: { type: "string" } },
  "usage: npm run bench:alerts -- [--stores N] [--runs R] [--minutes M [--compare K]]",
);
const stores = positiveInteger("stores", values.stores, 15_000);
const runs = positiveInteger("runs", values.runs, 5);
const minutes = values.minutes === undefined ? null : positiveInteger("minutes", values.minutes);
const compareEvery = positiveInteger("compare", values.compare, 1);
// It times the evaluation, not a receiver: the environment's default rule must have no webhook.
if (env().ALERT_WEBHOOK_URL) throw new Error("unset ALERT_WEBHOOK_URL for this bench: every incident would be posted to it");

const MINUTE_US = 60e6;
const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
const spread = (ms: number[]) => `${median(ms)} ms median of ${ms.length} (${Math.min(...ms)}-${Math.max(...ms)})`;
const timed = async <T>(work: () => Promise<T>) => {
  const started = performance.now();
  const result = await work();
  return { ...result, ms: Math.round(performance.now() - started) };
};

const end = new Date();
const dir = path.join(os.tmpdir(), `storemon-bench-alerts-${stores}`);
await generateFeeds({ stores, days: 2, end }, dir);
const server = await databaseServer({ dir: env().EMBEDDED_PG_DIR, port: env().EMBEDDED_PG_PORT });
pointAtDatabase(await freshDatabase(server.adminUrl, "storemon_bench_alerts", createQueues));
const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model}`;
try {
  const [polls] = await loadFeeds(feedSourcesInDirectory(dir), { actor: "bench" });
  const data = `${stores.toLocaleString("en")} stores, ${polls!.rowsRead.toLocaleString("en")} polls over the last two days`;
  if (minutes === null) {
    const first = await timed(() => evaluateStores(null));
    const steady = [];
    for (let i = 0; i < runs; i++) steady.push((await timed(() => evaluateStores(null))).ms);
    console.table({
      data,
      "first evaluation": `${first.ms} ms (${first.opened} incidents opened)`,
      "steady state": spread(steady),
      machine,
    });
  } else {
    const start = end.getTime() * 1000;
    const first = await timed(() => evaluateRound(start));
    const { rows: fleet } = await pool().query<{ store_id: string; last_active: boolean }>(
      "SELECT store_id, last_active FROM poll_stores ORDER BY store_id",
    );
    const everyStore: number[] = [];
    const round: number[] = [];
    const looked: number[] = [];
    /** What the evaluation of every store changed right after a round at the same instant: nothing, if the round missed nothing. */
    let missed = 0;
    for (let m = 1; m <= minutes; m++) {
      const at = start + m * MINUTE_US;
      // A sixtieth of the stores poll within the minute; one poll in 40 sees the other status than the last.
      const sending = fleet.filter((_, i) => i % 60 === m % 60);
      const flip = (i: number) => (i * 7 + m) % 40 === 0;
      for (const [i, s] of sending.entries()) if (flip(i)) s.last_active = !s.last_active;
      await pool().query(
        "INSERT INTO polls (store_id, timestamp_utc, status) SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::poll_status[])",
        [
          sending.map((s) => s.store_id),
          sending.map((_, i) => isoMicros(at - ((i * 7919) % 59_000_000))),
          sending.map((s) => (s.last_active ? "active" : "inactive")),
        ],
      );
      const runRound = async () => {
        const r = await timed(() => evaluateRound(at));
        round.push(r.ms);
        looked.push(r.stores);
      };
      const runEveryStore = async () => {
        const r = await timed(() => evaluateStores(null, at));
        everyStore.push(r.ms);
        return r.opened + r.resolved;
      };
      if (m % compareEvery !== 0) await runRound();
      else if (m % 2) missed += await runRound().then(runEveryStore);
      else await runEveryStore().then(runRound);
    }
    console.table({
      data,
      "first round (every store)": `${first.ms} ms (${first.stores.toLocaleString("en")} stores, ${first.opened} incidents opened)`,
      "the minute's round": `${spread(round)}; ${median(looked).toLocaleString("en")} stores evaluated (median; ${Math.min(...looked)}-${Math.max(...looked)})`,
      "each minute's round": round.map((ms, i) => `${ms} ms/${looked[i]}`).join(", "),
      "every active store (before)": spread(everyStore),
      "missed by the rounds": `${missed} incidents opened or resolved by the evaluation of every store right after a round`,
      machine,
    });
    const result = {
      date: new Date().toISOString(),
      machine,
      data: { stores, polls: polls!.rowsRead, minutes, compareEvery },
      firstRound: { ms: first.ms, stores: first.stores, opened: first.opened },
      rounds: round.map((ms, i) => ({ ms, stores: looked[i] })),
      roundMedianMs: median(round),
      everyStoreMs: everyStore,
      missed,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    const out = path.resolve("bench/results", `alerts-${stores}-${result.date.replace(/[:.]/g, "-")}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
    console.log(`written to ${out}`);
  }
} finally {
  await closePool();
  await server.stop();
}
