// npm run bench -- [--stores N] [--days D] [--history-days H] [--runs R] [--reuse] [--reports-only]
// Generates data with the project's generator, loads it into a fresh database, starts the app as `npm start`
// does (web server + WORKERS worker processes) and measures load, report, status latency under load, download
// and memory. Prints a table and writes it as JSON under bench/results/. --reuse measures on the database an earlier
// run of the same size loaded (kept in storemon_bench), without loading again. --reports-only leaves out the warm-up
// report and the status calls while reports run back to back (each phase waits for a whole report: at a million
// stores, many minutes).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
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
    "history-days": { type: "string" },
    runs: { type: "string" },
    reuse: { type: "boolean" },
    "reports-only": { type: "boolean" },
  },
  "usage: npm run bench -- [--stores N] [--days D] [--history-days H] [--runs R] [--reuse] [--reports-only]",
);
const number = (name: "stores" | "days" | "history-days" | "runs", fallback: number) => positiveInteger(name, values[name], fallback);
const stores = number("stores", 4500);
const days = number("history-days", number("days", 17));
const runs = number("runs", 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => Math.round(ms) / 1000;
function latency({ result, reports }: { result: autocannon.Result; reports: number }) {
  return {
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    requestsPerSecond: Math.round(result.requests.average),
    errors: result.errors + result.non2xx,
    reportsMeanwhile: reports,
  };
}
const describeLatency = (l: ReturnType<typeof latency>) =>
  `p50 ${l.p50ms} ms, p99 ${l.p99ms} ms (${l.requestsPerSecond} requests/s, ${l.errors} errors, ${l.reportsMeanwhile} reports meanwhile)`;

// CPU seconds used so far by each of these processes of this machine (Linux /proc); gone ones are left out.
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"]).toString()) || 100;
function cpuSeconds(pids: number[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      used.set(pid, (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS); // utime + stime
    } catch {}
  }
  return used;
}
/** CPU seconds used between two readings by the processes present at both, null if there were none. */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number | null {
  const both = [...after].filter(([pid]) => before.has(pid));
  return both.length ? both.reduce((sum, [pid, seconds]) => sum + seconds - before.get(pid)!, 0) : null;
}
function postgresPids(): number[] {
  try {
    return execFileSync("pgrep", ["-x", "postgres"]).toString().trim().split(/\s+/).map(Number);
  } catch {
    return []; // none on this machine (DATABASE_URL elsewhere)
  }
}

function peakRssMb(pid: number | undefined): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024);
  } catch {
    return null;
  }
}

// A fresh database on the embedded server (or on DATABASE_URL's server), with the generated data.
const server = await databaseServer({ dir: env().EMBEDDED_PG_DIR, port: env().EMBEDDED_PG_PORT });
const stopServer = server.stop;
const {
  url: benchUrl,
  loaded,
  loadMs,
} = await generatedDatabase(server.adminUrl, "storemon_bench", {
  stores,
  days,
  actor: "bench",
  reuse: values.reuse === true,
});
const polls = loaded.find((r) => r.kind === "polls")!;

// The bench triggers reports back to back, far beyond the per-client limit a service would meet.
const app = await startApp(benchUrl, { workers: env().WORKERS, env: { TRIGGER_LIMIT_PER_MINUTE: "1000000" } });
const api = (p: string, init?: RequestInit) => fetch(`${app.baseUrl}${p}`, init);
const statusPath = (id: string) => `/get_report?report_id=${id}`;
const triggered: string[] = []; // newest last
async function reportSeconds(): Promise<{ id: string; ms: number }> {
  const started = performance.now();
  const { report_id: id } = (await (await api("/trigger_report", { method: "POST" })).json()) as { report_id: string };
  triggered.push(id);
  for (;;) {
    const body = (await (await api(statusPath(id))).json()) as { status: string; error?: string };
    if (body.status === "Complete") return { id, ms: performance.now() - started };
    if (body.status === "Failed") throw new Error(`report failed: ${body.error}`);
    await sleep(10);
  }
}

try {
  const reportsOnly = values["reports-only"] === true;
  console.log(`${runs} reports ...`);
  if (!reportsOnly) await reportSeconds(); // warm-up: first requests compile routes and fill caches
  const reportMs: number[] = [];
  let lastId = "";
  for (let i = 0; i < runs; i++) {
    const r = await reportSeconds();
    reportMs.push(r.ms);
    lastId = r.id;
  }

  // Status latency while reports run back to back: `measure` runs meanwhile.
  const whileReportsRun = async <T>(measure: () => Promise<T>) => {
    let running = true;
    const reports = (async () => {
      let n = 0;
      for (; running; n++) await reportSeconds();
      return n;
    })();
    const result = await measure();
    running = false;
    return { result, reports: await reports };
  };
  const runningReport = () => triggered.at(-1)!;
  // One client asking about the running report every 100 ms, as a dashboard or a script watching it does.
  const onePoller = async () => {
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      const started = performance.now();
      await (await api(statusPath(runningReport()))).text();
      times.push(performance.now() - started);
      await sleep(100);
    }
    times.sort((a, b) => a - b);
    return { p50ms: Math.round(times[49]! * 10) / 10, p99ms: Math.round(times[98]! * 10) / 10 };
  };
  // 50 pollers, each asking again as soon as it has its answer: every other call asks about the report
  // running at that moment, the others about earlier reports in turn, as services watching their own do.
  let calls = 0;
  const runningOrEarlier = (request: autocannon.Request) => {
    const n = calls++;
    const id = n % 2 === 0 || triggered.length < 2 ? runningReport() : triggered[(n >> 1) % (triggered.length - 1)]!;
    return { ...request, path: statusPath(id) };
  };
  const skipped = { result: { p50ms: NaN, p99ms: NaN }, reports: 0 };
  if (!reportsOnly) console.log("status latency: one poller, then 50 concurrent pollers, while reports run ...");
  const single = reportsOnly ? skipped : await whileReportsRun(onePoller);
  const pollers = reportsOnly
    ? null
    : await whileReportsRun(() =>
        autocannon({ url: app.baseUrl, connections: 50, duration: 10, requests: [{ setupRequest: runningOrEarlier }] }),
      );
  // CPU per status call with no report running: the web server's, and PostgreSQL's where it runs here.
  const pgPids = postgresPids();
  const cpuBefore = { web: cpuSeconds([app.web.pid!]), db: cpuSeconds(pgPids) };
  const idle = await autocannon({ url: app.baseUrl, connections: 50, duration: 5, requests: [{ setupRequest: runningOrEarlier }] });
  const perCall = (seconds: number | null) => (seconds === null ? null : Math.round((seconds / idle.requests.total) * 1e6));
  const statusCpu = {
    webMicroseconds: perCall(cpuBetween(cpuBefore.web, cpuSeconds([app.web.pid!]))),
    postgresMicroseconds: perCall(cpuBetween(cpuBefore.db, cpuSeconds(pgPids))),
    requestsPerSecond: Math.round(idle.requests.average),
  };

  const downloadStarted = performance.now();
  const csv = await (await api(`/get_report_file/${lastId}`)).text();
  const downloadMs = performance.now() - downloadStarted;

  // A store page's 90-day history, over HTTP, for 20 stores (what the store page asks for on "Show 90 days").
  const sample = (
    await pool().query<{ store_id: string }>("SELECT store_id FROM report_rows WHERE report_id = $1 ORDER BY store_id LIMIT 20", [lastId])
  ).rows;
  const historyMs: number[] = [];
  for (const { store_id: id } of sample) {
    const started = performance.now();
    await (await api(`/api/stores/${encodeURIComponent(id)}/history?days=90`)).text();
    historyMs.push(performance.now() - started);
  }

  // The report page over HTTP: its overview, then a page of rows in each order and filter it offers (median of 5).
  const pageMs = async (p: string) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const response = await api(p);
      if (!response.ok) throw new Error(`${p}: ${response.status}`);
      await response.text();
      times.push(performance.now() - started);
    }
    return Math.round(median(times) * 10) / 10;
  };
  const rowsPath = (query: string) => `/api/reports/${lastId}/rows?pageSize=50&${query}`;
  const reportPage = {
    overviewMs: await pageMs(`/api/reports/${lastId}`),
    rowsByHealthMs: await pageMs(rowsPath("sort=health")),
    rowsByUptimeWeekDescMs: await pageMs(rowsPath("sort=uptime_last_week&dir=desc")),
    rowsByNameLastPageMs: await pageMs(rowsPath(`sort=name&page=${Math.ceil(stores / 50)}`)),
    rowsSearchMs: await pageMs(rowsPath("q=12")),
    rowsDownLastDayMs: await pageMs(rowsPath("only=down_day&sort=downtime_last_day&dir=desc")),
  };

  const { rows } = await pool().query("SELECT count(*)::int AS n FROM report_rows WHERE report_id = $1", [lastId]);
  const result = {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), cpu: os.cpus()[0]?.model, node: process.version },
    data: { stores, days, polls: polls.rowsRead, reportRows: rows[0].n },
    load: {
      seconds: seconds(loadMs),
      reused: values.reuse === true,
      pollsSeconds: Math.round(polls.seconds * 100) / 100,
      rowsPerSecond: Math.round(polls.rowsRead / polls.seconds),
    },
    report: {
      medianSeconds: seconds(median(reportMs)),
      runs: reportMs.map(seconds),
      microsecondsPerStore: Math.round((median(reportMs) * 1000) / stores),
    },
    statusOnePoller: { ...single.result, reportsMeanwhile: single.reports },
    statusPollers: pollers && latency(pollers),
    statusCpuPerCall: statusCpu,
    download: { seconds: seconds(downloadMs), bytes: csv.length },
    reportPage,
    storeHistory90Days: { medianMs: Math.round(median(historyMs)), maxMs: Math.round(Math.max(...historyMs)) },
    peakRssMb: { web: peakRssMb(app.web.pid), workers: app.workers.map((w) => peakRssMb(w.pid)), total: 0 },
  };
  result.peakRssMb.total = [result.peakRssMb.web, ...result.peakRssMb.workers].reduce<number>((s, v) => s + (v ?? 0), 0);
  console.table({
    "load polls": result.load.reused
      ? `reused: an earlier run loaded it in ${result.load.seconds} s (whole load)`
      : `${result.load.pollsSeconds} s (${result.load.rowsPerSecond.toLocaleString("en")} rows/s), whole load ${result.load.seconds} s`,
    "report, trigger to Complete": `${result.report.medianSeconds} s median of ${runs} (${result.report.runs.join(", ")}), ${result.report.microsecondsPerStore} µs a store`,
    "GET /get_report, one poller (every 100 ms)": reportsOnly
      ? "left out (--reports-only)"
      : `p50 ${single.result.p50ms} ms, p99 ${single.result.p99ms} ms (${single.reports} reports meanwhile)`,
    "GET /get_report, 50 pollers": result.statusPollers ? describeLatency(result.statusPollers) : "left out (--reports-only)",
    "CPU per status call, no report running": `web ${statusCpu.webMicroseconds ?? "?"} µs, PostgreSQL ${statusCpu.postgresMicroseconds ?? "?"} µs (${statusCpu.requestsPerSecond} requests/s)`,
    "report page (overview; rows by health, uptime, name's last page, search, down)": Object.values(reportPage).join(", ") + " ms",
    "CSV download": `${result.download.seconds} s (${result.download.bytes.toLocaleString("en")} bytes)`,
    "a store's 90-day history": `${result.storeHistory90Days.medianMs} ms median, ${result.storeHistory90Days.maxMs} ms at most (20 stores)`,
    "peak RSS": `web ${result.peakRssMb.web} MB, workers ${result.peakRssMb.workers.join(" + ")} MB, total ${result.peakRssMb.total} MB`,
    machine: `${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}`,
    data: `${stores} stores x ${days} days: ${polls.rowsRead.toLocaleString("en")} polls`,
  });
  fs.mkdirSync("bench/results", { recursive: true });
  const file = path.join("bench/results", `${stores}x${days}-${result.date.replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`written to ${file}`);
} finally {
  await app.stop();
  await closePool();
  await stopServer();
}
