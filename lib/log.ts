import { createRequire } from "node:module";
import path from "node:path";
import { pino, type Logger } from "pino";

// The one logger of every server process (web, worker, supervisor): JSON lines on stdout with pino, at LOG_LEVEL
// (info by default), each with the process's role and pid; in development on a terminal, readable lines instead
// (pino-pretty). Secrets never reach it: fields that carry them are redacted by name, and the access log writes
// paths with their query's secrets blanked (redactUrl). Read from process.env directly, not through env(): the
// logger must work before the settings are checked, to say what is wrong with them.

const SECRET_FIELDS = ["token", "key", "password", "secret", "authorization", "cookie", "apiKey", "webhookSecret"];

function make(): Logger {
  const level = process.env.LOG_LEVEL ?? "info";
  const pretty = process.env.NODE_ENV !== "production" && process.stdout.isTTY && process.env.LOG_FORMAT !== "json" && installed("pino-pretty");
  return pino({
    level,
    base: { pid: process.pid, role: process.env.STOREMON_ROLE ?? "app" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `headers.${f}`]), censor: "[redacted]" },
    ...(pretty ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } } : {}),
    // Written without blocking (the web server writes a line per status call); flushed when the process exits.
  }, pretty ? undefined : destination());
}

/** stdout, written asynchronously, flushed synchronously at exit (process.exit included). */
function destination() {
  const out = pino.destination({ dest: 1, sync: false });
  process.once("exit", () => {
    try {
      out.flushSync();
    } catch {
      // nothing more can be written
    }
  });
  return out;
}

/** Whether a package can be loaded from the project (pino-pretty is for development only). */
function installed(name: string): boolean {
  try {
    createRequire(path.join(process.cwd(), "package.json")).resolve(name);
    return true;
  } catch {
    return false;
  }
}

const state = globalThis as unknown as { storemonLog?: Logger };

/** This process's logger. */
export function log(): Logger {
  state.storemonLog ??= make();
  return state.storemonLog;
}

/** Names the process in every line from now on (web, worker, supervisor), before the first line is written. */
export function setLogRole(role: string): void {
  process.env.STOREMON_ROLE = role;
  state.storemonLog = undefined;
}

const SECRET_PARAMS = /([?&](?:token|key|signature|secret|password)=)[^&#]*/gi;

/** A path as logs may show it: the values of query parameters that carry secrets blanked. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, "$1[redacted]");
}

/** The message of anything thrown, for a log line. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
