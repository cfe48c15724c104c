// What keeps `npm start` up: each child process (the web server, every worker) is started again when it dies,
// after a delay that grows while it keeps dying; the embedded PostgreSQL is started again when it dies; and a
// stop never waits for a process that has already exited or will not exit.
import type { ChildProcess } from "node:child_process";
import type { EmbeddedServer } from "../lib/db/embedded";
import { log } from "../lib/log";

/** Restart delays: the first, the longest, and how long a child must stay up for the delay to start again. */
export const RESTART_DELAY = { firstMs: 500, maxMs: 10_000, resetAfterMs: 30_000 };

/** How long a child may take to exit after SIGTERM before it is killed. */
export const STOP_GRACE_MS = 5_000;

const say = (message: string) => log().info(message);

// A child killed by a signal has exitCode null: checking exitCode alone waits for an exit already past.
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, label: string, graceMs = STOP_GRACE_MS): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const stuck = setTimeout(() => {
    log().warn(`${label} (pid ${child.pid}) still running ${graceMs / 1000} s after SIGTERM; sending SIGKILL`);
    child.kill("SIGKILL");
  }, graceMs);
  await exited;
  clearTimeout(stuck);
}

/** A child process that is started again whenever it dies, until stop(). */
export class SupervisedChild {
  private child: ChildProcess | null = null;
  private delayMs = RESTART_DELAY.firstMs;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(
    readonly name: string,
    private readonly launch: () => ChildProcess,
  ) {}

  start(): void {
    const child = this.launch();
    const startedAt = Date.now();
    this.child = child;
    say(`${this.name} started (pid ${child.pid})`);
    const restart = (how: string) => {
      if (this.stopping) return;
      if (Date.now() - startedAt >= RESTART_DELAY.resetAfterMs) this.delayMs = RESTART_DELAY.firstMs;
      const delay = this.delayMs;
      this.delayMs = Math.min(delay * 2, RESTART_DELAY.maxMs);
      say(`${this.name} (pid ${child.pid}) ${how}; restarting in ${delay / 1000} s`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.start();
      }, delay);
    };
    // A child that could not be spawned at all (EAGAIN, EMFILE) emits "error" and never "exit".
    child.once("error", (e) =>
      child.pid === undefined ? restart(`could not be started (${e.message})`) : say(`${this.name} (pid ${child.pid}): ${e.message}`),
    );
    child.once("exit", (code, signal) => restart(describeExit(code, signal)));
  }

  /** Starts a child that is waiting for its restart now, and from the first delay (its database is back). */
  restartNowIfWaiting(): void {
    this.delayMs = RESTART_DELAY.firstMs;
    if (!this.restartTimer || this.stopping) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.child) await stopChild(this.child, `[start] ${this.name}`);
  }
}

/**
 * How a dead embedded PostgreSQL is started again: at once, then after 0.5 s doubling, up to a wait of a minute,
 * for as long as it takes; never given up on. A server that cannot start (its crash recovery needs disk space that
 * is not there) comes back by itself once the cause is gone, while the web server answers 503 meanwhile. After
 * `quickTries` the launcher says it keeps trying; a failed start is tried again at once, not at the end of its
 * wait, when the data directory's disk has gained `spaceGainBytes` since (space freed).
 */
export const DATABASE_RESTART = { quickTries: 6, firstMs: 500, maxMs: 60_000, spaceCheckMs: 1000, spaceGainBytes: 64 * 2 ** 20 };

/** The wait before restart attempt `attempt` (from 1): none, then `firstMs` doubling, at most `maxMs`. */
export function databaseRestartDelay(attempt: number, schedule = DATABASE_RESTART): number {
  return attempt <= 1 ? 0 : Math.min(schedule.firstMs * 2 ** (attempt - 2), schedule.maxMs);
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/**
 * The embedded PostgreSQL this launcher started: started again on the same port and data directory when it
 * dies (startEmbeddedPostgres removes the dead server's pid file), however long that takes.
 */
export class SupervisedDatabase {
  private stopping = false;
  private starting: Promise<EmbeddedServer> | null = null;
  private wake: (() => void) | null = null;

  /** `freeBytes`: the space left on the data directory's disk, to say in the log and to notice it freed. */
  constructor(
    private server: EmbeddedServer,
    private readonly startServer: () => Promise<EmbeddedServer>,
    private readonly events: { restarted(): void },
    private readonly freeBytes: () => number | undefined = () => undefined,
    private readonly schedule = DATABASE_RESTART,
  ) {
    this.watch();
  }

  private watch(): void {
    const { exited, pid } = this.server;
    void exited?.then((exit) => {
      if (!this.stopping) void this.restart(`embedded PostgreSQL (pid ${pid}) ${describeExit(exit.code, exit.signal)}`);
    });
  }

  private async restart(what: string): Promise<void> {
    say(`${what}; restarting it`);
    for (let attempt = 1; !this.stopping; attempt++) {
      // The dead server's sessions can hold its shared memory for a moment after it died.
      await this.waitOrSpaceFreed(databaseRestartDelay(attempt, this.schedule));
      if (this.stopping) return;
      try {
        this.starting = this.startServer();
        this.server = await this.starting;
        // Another server took the port meanwhile: it is used, but it is not this launcher's to watch.
        say(
          this.server.exited
            ? `embedded PostgreSQL restarted (pid ${this.server.pid})${attempt > 1 ? ` at attempt ${attempt}` : ""}`
            : "another PostgreSQL answers on the port now; using it",
        );
        this.watch();
        this.events.restarted();
        return;
      } catch (e) {
        const reason = (e instanceof Error ? e.message : String(e)).trim().split("\n").join(" | ");
        const free = this.freeBytes();
        const next = databaseRestartDelay(attempt + 1, this.schedule);
        log().warn(
          { attempt, freeBytes: free },
          `PostgreSQL did not start (attempt ${attempt}${free === undefined ? "" : `; its data directory's disk has ${mb(free)} free`}): ${reason}; ` +
            (attempt === this.schedule.quickTries
              ? `trying again for as long as it takes, every ${this.schedule.maxMs / 1000} s at most (and at once when disk space is freed); the web server answers 503 meanwhile`
              : `trying again in ${next / 1000} s`),
        );
      } finally {
        this.starting = null;
      }
    }
  }

  /** Sleeps `ms`, or less: until the data directory's disk has gained space, or stop(). */
  private async waitOrSpaceFreed(ms: number): Promise<void> {
    if (ms <= 0) return;
    const before = this.freeBytes();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(check);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      const check = setInterval(() => {
        const now = this.freeBytes();
        if (before !== undefined && now !== undefined && now - before >= this.schedule.spaceGainBytes) {
          say(`the data directory's disk has ${mb(now)} free now (${mb(before)} before); restarting PostgreSQL at once`);
          done();
        }
      }, this.schedule.spaceCheckMs);
      this.wake = done;
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.starting?.catch(() => {});
    await this.server.stop();
  }
}
