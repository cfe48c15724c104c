import pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import { databaseUrl } from "./url";
import { noteDatabaseAvailable } from "./availability";
import { CONNECTION_LIFETIME_SECONDS, pool } from "./pool";
import { logConnectionError, stopping } from "./shutdown";

// One LISTEN connection per process, shared by every channel it listens on, and made again whenever it is
// lost (the database restarted, a network cut): listeners need no restart of the process. Notifications
// sent while it was gone are lost, so after a reconnection every handler is called once, to look again.

type Handler = (payload: string) => void;

const handlers = new Map<string, Set<Handler>>();
let client: pg.Client | null = null;
let connecting: Promise<void> | null = null;

function dispatch(channel: string, payload: string) {
  for (const handler of handlers.get(channel) ?? []) handler(payload);
}

async function connect(): Promise<void> {
  for (let delay = 250; handlers.size > 0 && !stopping(); delay = Math.min(delay * 2, 5000)) {
    const candidate = new pg.Client({ connectionString: databaseUrl(), connectionTimeoutMillis: 10_000, keepAlive: true });
    try {
      candidate.on("notification", (n) => dispatch(n.channel, n.payload ?? ""));
      candidate.on("error", (e) => logConnectionError("notifications", e));
      await candidate.connect();
      for (const channel of handlers.keys()) await candidate.query(`LISTEN ${channel}`);
      // Made afresh now and then, like pooled connections (see CONNECTION_LIFETIME_SECONDS).
      const renewal = setTimeout(() => candidate.end().catch(() => {}), CONNECTION_LIFETIME_SECONDS * 1000).unref();
      candidate.on("end", () => {
        clearTimeout(renewal);
        if (client !== candidate) return; // one let go on purpose (nobody listens), or already replaced
        client = null;
        if (handlers.size > 0 && !stopping()) reconnect();
      });
      if (handlers.size === 0) {
        await candidate.end(); // everyone stopped listening while it connected
        return;
      }
      client = candidate;
      noteDatabaseAvailable();
      return;
    } catch (e) {
      logConnectionError("notifications", e as Error);
      await candidate.end().catch(() => {});
      await sleep(delay);
    }
  }
}

function reconnect() {
  connecting ??= connect().finally(() => {
    connecting = null;
    for (const channel of handlers.keys()) dispatch(channel, "");
  });
}

/**
 * Calls `handler` with the payload of every notification on `channel` (an SQL identifier), and with ""
 * after the connection was made again. Returns a function that stops listening.
 */
export async function listen(channel: string, handler: Handler): Promise<() => Promise<void>> {
  if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  const known = handlers.has(channel);
  if (!known) handlers.set(channel, new Set());
  handlers.get(channel)!.add(handler);
  if (!client) {
    connecting ??= connect().finally(() => (connecting = null));
    await connecting;
  }
  // LISTEN is idempotent: a connection made while this channel was being added may have missed it.
  if (!known) await client?.query(`LISTEN ${channel}`).catch(() => {});
  return async () => {
    const set = handlers.get(channel);
    set?.delete(handler);
    if (set?.size !== 0) return;
    handlers.delete(channel);
    const current = client;
    if (handlers.size === 0) {
      client = null;
      await current?.end().catch(() => {});
    } else await current?.query(`UNLISTEN ${channel}`).catch(() => {});
  };
}

/** Sends a notification on `channel`; through `client`, it is delivered when the client's transaction commits. */
export async function notify(channel: string, payload: string, via?: pg.ClientBase | pg.Pool): Promise<void> {
  await (via ?? pool()).query("SELECT pg_notify($1, $2)", [channel, payload]);
}
