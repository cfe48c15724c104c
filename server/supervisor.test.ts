// The launcher keeps the app up: `npm start` (server/start.ts, as a real process against a real database)
// restarts a worker or web server that is killed, and stops everything promptly, even a child that hangs; and it
// never gives up on its embedded PostgreSQL (SupervisedDatabase, with servers that fail to start as told).
import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { EmbeddedServer, ServerExit } from "../lib/db/embedded";
import { log } from "../lib/log";
import { setUpTestDatabase } from "../tests/database";
import { freePort } from "../scripts/app-processes";
import { appProcesses, isAlive } from "../scripts/process-tree";
import { databaseRestartDelay, DATABASE_RESTART, SupervisedDatabase } from "./supervisor";

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
  launcher = spawn(process.execPath, ["--import", "tsx", "server/start.ts"], {
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

/** A stand-in for the embedded PostgreSQL: `die()` ends it as a crash would. */
function fakeServer(): EmbeddedServer & { die(): void } {
  let die = () => {};
  const exited = new Promise<ServerExit>((resolve) => (die = () => resolve({ code: null, signal: "SIGKILL" })));
  return { adminUrl: "", appPassword: null, pid: 1, exited, stop: async () => {}, die };
}

/**
 * A SupervisedDatabase on `schedule` whose server has just died: each start fails while `failing(attempt)` says
 * so, on a disk with `free()` bytes left. Its starts' times, and the app's restart calls.
 */
function deadDatabase(schedule: typeof DATABASE_RESTART, failing: (attempt: number) => boolean, free: () => number) {
  const attempts: number[] = [];
  const restarted = vi.fn();
  const first = fakeServer();
  const supervised = new SupervisedDatabase(
    first,
    async () => {
      attempts.push(Date.now());
      if (failing(attempts.length)) throw new Error('PANIC: could not write to file "pg_wal/xlogtemp.7": No space left on device');
      return fakeServer();
    },
    { restarted },
    free,
    schedule,
  );
  first.die();
  return { attempts, restarted, supervised };
}

describe("the embedded PostgreSQL's restarts", () => {
  it("waits 0.5 s doubling between tries, then a minute at most, however many tries it takes", () => {
    const delays = Array.from({ length: 12 }, (_, i) => databaseRestartDelay(i + 1));
    expect(delays).toEqual([0, 500, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
  });

  it("never gives up: a server that fails to start 12 times (its disk full) is started at the 13th, and the app told", async () => {
    const warn = vi.spyOn(log(), "warn");
    const { attempts, restarted, supervised } = deadDatabase(
      { ...DATABASE_RESTART, firstMs: 2, maxMs: 20 },
      (attempt) => attempt <= 12,
      () => 0,
    );
    await waitFor("the 13th start", () => (restarted.mock.calls.length ? true : undefined), 5_000);
    expect(attempts).toHaveLength(13);
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    expect(Math.max(...gaps.slice(-4))).toBeLessThan(200); // capped at 20 ms, not doubling on
    const said = warn.mock.calls.map(([, message]) => String(message));
    expect(said[5]).toMatch(
      /attempt 6; its data directory's disk has 0 MB free\): PANIC: .*No space left on device; trying again for as long as it takes/,
    );
    await supervised.stop();
  });

  it("tries again at once when the data directory's disk gains space, not at the end of its wait", async () => {
    let free = 0;
    const { attempts, restarted, supervised } = deadDatabase(
      { ...DATABASE_RESTART, firstMs: 60_000, maxMs: 60_000, spaceCheckMs: 20 },
      () => free === 0,
      () => free,
    );
    await waitFor("the first, failing, start", () => (attempts.length ? true : undefined), 5_000);
    await sleep(1_500);
    expect(attempts).toHaveLength(1); // waiting its minute (not 0.5 s, 1 s...)
    free = 512 * 2 ** 20;
    const freedAt = Date.now();
    await waitFor("the start after space was freed", () => (restarted.mock.calls.length ? true : undefined), 5_000);
    expect(attempts[1]! - freedAt).toBeLessThan(1_000);
    await supervised.stop();
  });
});
