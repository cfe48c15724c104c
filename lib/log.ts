import { createRequire } from "node:module";
import path from "node:path";
import { pino, type Logger } from "pino";
import { logSettings } from "./env";

// The one logger of every server process (web, worker, supervisor): JSON lines on stdout with pino, at LOG_LEVEL
// (info by default), each with the process's role and pid; in development on a terminal, readable lines instead
// (pino-pretty). Secrets never reach it: fields that carry them are redacted by name, and the access log writes
// paths with their query's secrets blanked (redactUrl). Its settings come from logSettings(), not env(): the
// logger must work before the settings are checked, to say what is wrong with them.

const SECRET_FIELDS = [
  "token",
  "key",
  "password",
  "secret",
  "signature",
  "authorization",
  "cookie",
  "set-cookie",
  "apiKey",
  "webhookSecret",
];

function make(): Logger {
  const { level, json, production } = logSettings();
  const pretty = !production && process.stdout.isTTY && !json && installed("pino-pretty");
  return pino({
    level,
    base: { pid: process.pid, role: state.storemonRole ?? "app" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: SECRET_FIELDS.flatMap((f) => [`["${f}"]`, `*["${f}"]`, `*.headers["${f}"]`]), censor: "[redacted]" },
    ...(pretty
      ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } }
      : {}),
  });
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

// On globalThis: Next.js bundles its own copy of this module into the routes, which must log as the same process.
const state = globalThis as unknown as { storemonLog?: Logger; storemonRole?: string };

/** This process's logger. */
export function log(): Logger {
  state.storemonLog ??= make();
  return state.storemonLog;
}

/** Names the process in every line from now on (web, worker, supervisor), before the first line is written. */
export function setLogRole(role: string): void {
  state.storemonRole = role;
  state.storemonLog = undefined;
}

const SECRET_PARAMS = new Set(["token", "key", "signature", "secret", "password"]);

/**
 * A path as logs may show it: the values of query parameters that carry secrets blanked, whatever their names'
 * spelling (%74oken is token to the app, so to this too).
 */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let secret = false;
  for (const name of new Set(params.keys()))
    if (SECRET_PARAMS.has(name.toLowerCase())) {
      secret = true;
      params.set(name, "[redacted]");
    }
  return secret ? `${url.slice(0, q)}?${params.toString().replace(/%5Bredacted%5D/g, "[redacted]")}` : url;
}

/** The message of anything thrown, for a log line. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
