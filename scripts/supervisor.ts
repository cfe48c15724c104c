// What keeps `npm start` up: each child process (the web server, every worker) is started again when it dies,
// after a delay that grows while it keeps dying; the embedded PostgreSQL is started again when it dies; and a
// stop never waits for a process that has already exited or will not exit.
import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
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

/** Attempts to start a dead embedded PostgreSQL again (0.5 s doubling: 15 s in all) before giving up. */
const DATABASE_RESTART_ATTEMPTS = 6;

/**
 * The embedded PostgreSQL this launcher started: started again on the same port and data directory when it
 * dies (startEmbeddedPostgres removes the dead server's pid file); `gaveUp` when it cannot be.
 */
export class SupervisedDatabase {
  private stopping = false;
  private starting: Promise<EmbeddedServer> | null = null;

  constructor(
    private server: EmbeddedServer,
    private readonly startServer: () => Promise<EmbeddedServer>,
    private readonly events: { restarted(): void; gaveUp(reason: string): void },
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
    let lastError = "";
    for (let attempt = 1; attempt <= DATABASE_RESTART_ATTEMPTS && !this.stopping; attempt++) {
      // The dead server's sessions can hold its shared memory for a moment after it died.
      if (attempt > 1) await sleep(500 * 2 ** (attempt - 2));
      try {
        this.starting = this.startServer();
        this.server = await this.starting;
        // Another server took the port meanwhile: it is used, but it is not this launcher's to watch.
        say(
          this.server.exited
            ? `embedded PostgreSQL restarted (pid ${this.server.pid})`
            : "another PostgreSQL answers on the port now; using it",
        );
        this.watch();
        this.events.restarted();
        return;
      } catch (e) {
        lastError = (e instanceof Error ? e.message : String(e)).trim().split("\n").join(" | ");
        say(`PostgreSQL did not start (attempt ${attempt} of ${DATABASE_RESTART_ATTEMPTS}): ${lastError}`);
      } finally {
        this.starting = null;
      }
    }
    if (!this.stopping) this.events.gaveUp(`the embedded PostgreSQL could not be restarted (${lastError})`);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.starting?.catch(() => {});
    await this.server.stop();
  }
}
