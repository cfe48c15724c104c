// npm run bench:footprint -- [--stores N] [--days D] [--reports R]
// The memory of `npm start`'s whole process tree (npm, the launcher, the web server, WORKERS workers) while
// reports run: loads generated data (as npm run bench does) into a fresh database, runs `npm start` against it
// in a process group of its own, triggers R reports one after another, and samples every process of its tree
// every 50 ms: resident (RSS) and proportional (PSS: shared pages split between the processes sharing them).
// Prints the peaks and writes them as JSON under bench/results/.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { env } from "../lib/env";
import { databaseServer } from "../lib/db/prepare";
import { closePool } from "../lib/db/pool";
import { freePort, untilHealthy } from "./app-processes";
import { generatedDatabase } from "./bench-data";
import { descendants } from "./process-tree";
import { commandArgs, positiveInteger } from "./cli";

const { values } = commandArgs(
  { stores: { type: "string" }, days: { type: "string" }, reports: { type: "string" } },
  "usage: npm run bench:footprint -- [--stores N] [--days D] [--reports R]",
);
const number = (name: keyof typeof values, fallback: number) => positiveInteger(name, values[name], fallback);
const stores = number("stores", 4500);
const days = number("days", 17);
const reports = number("reports", 3);

const server = await databaseServer({ dir: env().EMBEDDED_PG_DIR, port: env().EMBEDDED_PG_PORT });
const { url, loaded } = await generatedDatabase(server.adminUrl, "storemon_footprint", { stores, days, actor: "bench" });
await closePool();

/** Each role a process of the tree plays, told by what it runs. */
const ROLES: [string, string][] = [
  ["dist/worker.mjs", "worker"],
  ["dist/web.mjs", "web"],
  ["server/launch.mjs", "launcher"],
];

/** `root` (npm) and every process under it, with what it is, its RSS and PSS in kB (Linux /proc). */
function tree(root: number): { pid: number; what: string; rss: number; pss: number }[] {
  return [{ pid: root, command: "npm start" }, ...descendants(root)].flatMap(({ pid, command }) => {
    try {
      const kb = (file: string, field: string) =>
        Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/${file}`, "utf8"))?.[1] ?? 0);
      const what = ROLES.find(([runs]) => command.includes(runs))?.[1] ?? command.slice(0, 40);
      return [{ pid, what, rss: kb("status", "VmRSS"), pss: kb("smaps_rollup", "Pss") }];
    } catch {
      return []; // gone meanwhile
    }
  });
}

/** The tree's memory in kB, summed over its processes. */
const total = (processes: ReturnType<typeof tree>, measure: "rss" | "pss") => processes.reduce((sum, p) => sum + p[measure], 0);

const port = await freePort();
const app = spawn("npm", ["start"], {
  detached: true, // a process group of its own: npm and everything under it
  stdio: ["ignore", "ignore", "inherit"],
  env: {
    ...process.env,
    DATABASE_URL: url,
    PORT: String(port),
    SAMPLE_DATA: "off",
    WORKERS: "2",
    ADMIN_TOKEN: "footprint-admin-token-0123456789",
    LOG_LEVEL: "warn",
  },
});
const base = `http://127.0.0.1:${port}`;
try {
  await untilHealthy(base, 600, "npm start did not come up");
  await sleep(3000); // the workers' start
  const idle = tree(app.pid!);

  const peaks = { rss: 0, pss: 0, byProcess: new Map<number, { what: string; rss: number; pss: number }>() };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const now = tree(app.pid!);
      peaks.rss = Math.max(peaks.rss, total(now, "rss"));
      peaks.pss = Math.max(peaks.pss, total(now, "pss"));
      for (const p of now) {
        const seen = peaks.byProcess.get(p.pid) ?? { what: p.what, rss: 0, pss: 0 };
        peaks.byProcess.set(p.pid, { what: p.what, rss: Math.max(seen.rss, p.rss), pss: Math.max(seen.pss, p.pss) });
      }
      await sleep(50);
    }
  })();
  const seconds: number[] = [];
  for (let i = 0; i < reports; i++) {
    const started = performance.now();
    const { report_id: id } = await (await fetch(`${base}/trigger_report`, { method: "POST" })).json(); // open mode: no key, no account
    for (;;) {
      const body = await (await fetch(`${base}/get_report?report_id=${id}`)).json();
      if (body.status === "Complete") break;
      if (body.status === "Failed") throw new Error(body.error);
      await sleep(20);
    }
    seconds.push(Math.round(performance.now() - started) / 1000);
  }
  sampling = false;
  await sampler;

  const mb = (kb: number) => Math.round(kb / 1024);
  const result = {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), cpu: os.cpus()[0]?.model, node: process.version },
    data: { stores, days, polls: loaded.find((r) => r.kind === "polls")!.rowsRead },
    reportSeconds: seconds,
    idle: {
      rssMb: mb(total(idle, "rss")),
      pssMb: mb(total(idle, "pss")),
      processes: idle.map((p) => ({ what: p.what, rssMb: mb(p.rss), pssMb: mb(p.pss) })),
    },
    whileReportsRun: {
      peakRssMb: mb(peaks.rss),
      peakPssMb: mb(peaks.pss),
      processes: [...peaks.byProcess.values()].map((p) => ({ what: p.what, peakRssMb: mb(p.rss), peakPssMb: mb(p.pss) })),
    },
  };
  console.table(
    Object.fromEntries(
      result.whileReportsRun.processes.map((p, i) => [
        `${i} ${p.what}`,
        {
          "peak RSS MB": p.peakRssMb,
          "peak PSS MB": p.peakPssMb,
          "idle RSS MB": result.idle.processes.find((q) => q.what === p.what)?.rssMb,
        },
      ]),
    ),
  );
  console.log(
    `npm start's tree, ${stores} stores x ${days} days (${result.data.polls.toLocaleString("en")} polls), reports ${seconds.join(", ")} s: ` +
      `peak ${result.whileReportsRun.peakRssMb} MB RSS, ${result.whileReportsRun.peakPssMb} MB PSS (idle ${result.idle.rssMb} MB RSS, ${result.idle.pssMb} MB PSS)`,
  );
  fs.mkdirSync("bench/results", { recursive: true });
  const file = path.join("bench/results", `footprint-${stores}x${days}-${result.date.replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`written to ${file}`);
} finally {
  try {
    process.kill(-app.pid!, "SIGTERM");
  } catch {}
  await new Promise((resolve) => app.once("exit", resolve));
  await server.stop();
}
