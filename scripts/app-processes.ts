import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { WEB_BUNDLE, WORKER_BUNDLE, webArgs, workerArgs } from "../server/process-args";
import { describeExit, stopChild } from "../server/supervisor";

// The web server and worker processes, started as `npm start` would start them: used by the HTTP tests, the
// browser tests' server and the benchmarks.

export interface RunningApp {
  baseUrl: string;
  web: ChildProcess;
  workers: ChildProcess[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function spawnLogged(name: string, args: string[], env: Record<string, string | undefined>): ChildProcess {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  child.on("exit", (code, signal) => {
    // 143 and 130, SIGTERM and SIGINT: stopped, as stop() does; SIGKILL: killed on purpose (the fault scenarios).
    // Another signal is a crash: V8 aborts (SIGABRT) when a process reaches its heap limit (server/process-args.ts).
    const stopped = code === 143 || code === 130 || signal === "SIGTERM" || signal === "SIGINT" || signal === "SIGKILL";
    if ((code || signal) && !stopped) console.error(`[${name}] ${describeExit(code, signal)}:\n${log.join("")}`);
  });
  return child;
}

export function startWorker(databaseUrl: string, env: Record<string, string> = {}): ChildProcess {
  return spawnLogged("worker", workerArgs(), { DATABASE_URL: databaseUrl, REPORT_SWEEP_SECONDS: "1", ...env });
}

/** Asks the app at `baseUrl` for /api/health every 100 ms until it answers 200; after `tries` more, fails with `failure`. */
export async function untilHealthy(baseUrl: string, tries: number, failure: string): Promise<void> {
  for (let i = 0; ; i++) {
    const up = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    if (i > tries) throw new Error(failure);
    await sleep(100);
  }
}

/** The production build served by `next start` on `port` (or a free one), with `workers` report worker processes. */
export async function startApp(
  databaseUrl: string,
  { workers = 1, port = 0, env = {} as Record<string, string> } = {},
): Promise<RunningApp> {
  if (!fs.existsSync(path.resolve(".next/BUILD_ID")) || !fs.existsSync(WORKER_BUNDLE) || !fs.existsSync(WEB_BUNDLE))
    throw new Error("No production build: run `npm run build` first (npm test does).");
  port ||= await freePort();
  const web = spawnLogged("web", webArgs(port), { DATABASE_URL: databaseUrl, NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), ...env });
  const workerProcesses = Array.from({ length: workers }, () => startWorker(databaseUrl, env));
  const baseUrl = `http://127.0.0.1:${port}`;
  await untilHealthy(baseUrl, 300, "the app did not start");
  return {
    baseUrl,
    web,
    workers: workerProcesses,
    async stop() {
      await Promise.all([web, ...workerProcesses].map((child, i) => stopChild(child, i ? "[worker]" : "[web]")));
    },
  };
}
