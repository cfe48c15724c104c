// The launcher keeps the app up: `npm start` (scripts/start.ts, as a real process against a real database)
// restarts a worker or web server that is killed, and stops everything promptly, even a child that hangs.
import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setUpTestDatabase } from "../tests/database";
import { freePort } from "./app-processes";
import { appProcesses, isAlive } from "./process-tree";

const databaseUrl = await setUpTestDatabase();
let launcher: ChildProcess;
let output = "";
let baseUrl: string;

async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs / 1000} s: ${what}\nlauncher output:\n${output}`);
    await sleep(50);
  }
}
/** The launcher's one web server or worker process, if it runs one. */
const child = (role: "web" | "worker") => {
  const pids = appProcesses(launcher.pid!, role);
  return pids.length === 1 ? pids[0] : undefined;
};
const health = () =>
  fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.status,
    () => 0,
  );

/** Calls /api/health every 100 ms until stopped; returns the calls that did not answer 200. */
function watchHealth(): () => Promise<number[]> {
  let watching = true;
  const failures: number[] = [];
  const done = (async () => {
    while (watching) {
      const status = await health();
      if (status !== 200) failures.push(status);
      await sleep(100);
    }
  })();
  return async () => {
    watching = false;
    await done;
    return failures;
  };
}

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  launcher = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      WORKERS: "1",
      SAMPLE_DATA: "off",
      ADMIN_TOKEN: "token-of-the-supervisor-test",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  launcher.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  launcher.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitFor("the web server answers", async () => (await health()) === 200, 30_000);
  await waitFor("the worker takes jobs", () => /"msg":"worker \d+ taking report jobs"/.test(output), 15_000);
});
afterAll(() => {
  // Whatever a failed test left running.
  for (const pid of [...appProcesses(launcher.pid!, "web"), ...appProcesses(launcher.pid!, "worker")]) process.kill(pid, "SIGKILL");
  if (isAlive(launcher.pid!)) launcher.kill("SIGKILL");
});

describe("npm start", () => {
  it("restarts a killed worker within 5 s, naming it, while the web server keeps answering", async () => {
    const before = child("worker")!;
    const healthFailures = watchHealth();
    const killedAt = Date.now();
    process.kill(before, "SIGKILL");
    const after = await waitFor("a new worker process", () => (child("worker") !== before ? child("worker") : undefined), 5_000);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(output).toContain(`"msg":"worker 1 (pid ${before}) was killed by SIGKILL; restarting in 0.5 s`);
    await waitFor("the new worker takes jobs", () => output.includes(`"msg":"worker ${after} taking report jobs"`), 5_000);
    expect(await healthFailures()).toEqual([]);
  });

  it("restarts a killed web server, which answers again within 5 s", async () => {
    const before = child("web")!;
    const killedAt = Date.now();
    process.kill(before, "SIGKILL");
    await waitFor(
      "the web server answers again",
      async () => child("web") !== undefined && child("web") !== before && (await health()) === 200,
      5_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(output).toContain(`"msg":"web server (pid ${before}) was killed by SIGKILL; restarting in 0.5 s`);
  });

  it("stops itself and every child within 6.5 s of SIGTERM, killing a child that hangs", async () => {
    const children = [child("web")!, child("worker")!];
    process.kill(children[1]!, "SIGSTOP"); // a hung worker: it cannot act on SIGTERM
    const exited = new Promise((resolve) => launcher.once("exit", resolve));
    const signalledAt = Date.now();
    launcher.kill("SIGTERM");
    await Promise.race([exited, sleep(6_500)]);
    expect(isAlive(launcher.pid!)).toBe(false);
    expect(Date.now() - signalledAt).toBeLessThan(6_500);
    expect(children.filter(isAlive)).toEqual([]);
  });
});
