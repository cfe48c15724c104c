import pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import { embeddedDatabaseUrl, env } from "../env";
import { ensureDatabaseExists, startEmbeddedPostgres, type EmbeddedServer } from "./embedded";
import { migrate, withMigrationLock } from "./migrate";
import { createQueues } from "../reports/queue";

export interface PreparedDatabase {
  url: string;
  /** Stops the embedded server when this process started it. */
  stop(): Promise<void>;
  /** The embedded server, when DATABASE_URL is unset (its `exited` is null when another process runs it). */
  embedded: EmbeddedServer | null;
}

/**
 * Makes the database ready for use by commands and the launcher: when DATABASE_URL is unset, starts the
 * embedded PostgreSQL (or joins the one already running) and points DATABASE_URL at it; then applies
 * the migrations.
 */
export async function prepareDatabase(): Promise<PreparedDatabase> {
  const settings = env();
  let url = settings.DATABASE_URL;
  let stop = async () => {};
  let embedded: EmbeddedServer | null = null;
  if (!url) {
    const server = await startEmbeddedPostgres(settings.EMBEDDED_PG_DIR, settings.EMBEDDED_PG_PORT);
    await ensureDatabaseExists(server.adminUrl, "storemon");
    url = embeddedDatabaseUrl(settings.EMBEDDED_PG_PORT);
    process.env.DATABASE_URL = url;
    stop = server.stop;
    embedded = server;
  }
  await migrateDatabase(url);
  return { url, stop, embedded };
}

/**
 * Applies the migrations to the database at `url` and creates the queue's schema and queues, all under the
 * migration lock, before any web server or worker uses them. A step that meets a deadlock or serialization
 * failure anyway (another program's DDL) is tried again.
 */
async function migrateDatabase(url: string): Promise<void> {
  await retryTransient(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await withMigrationLock(client, async () => {
        await migrate(client);
        await createQueues(url);
      });
    } finally {
      await client.end();
    }
  });
}

/** Deadlock detected, serialization failure: a start-up step that met one is safe to run again. */
const TRANSIENT = new Set(["40P01", "40001"]);

async function retryTransient<T>(step: () => Promise<T>, tries = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (e) {
      const code = (e as { code?: string }).code ?? ((e as { cause?: { code?: string } }).cause?.code);
      if (attempt >= tries || !TRANSIENT.has(code ?? "")) throw e;
      console.error(`[start] ${(e as Error).message}; trying again (${attempt}/${tries - 1})`);
      await sleep(100 * attempt + Math.random() * 100);
    }
  }
}

/** The server for a database of its own (benchmarks, browser tests): DATABASE_URL's, or an embedded one. */
export async function databaseServer(embedded: { dir: string; port: number }): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  const given = env().DATABASE_URL;
  return given ? { adminUrl: given, stop: async () => {} } : startEmbeddedPostgres(embedded.dir, embedded.port);
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Drops `name` on the server if it exists, creates it afresh and migrates it; returns its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await ensureDatabaseExists(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  await migrateDatabase(url);
  return url;
}
