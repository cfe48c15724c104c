import pg from "pg";
import { embeddedDatabaseUrl, env } from "../env";
import { ensureDatabaseExists, startEmbeddedPostgres, type EmbeddedServer } from "./embedded";
import { migrate } from "./migrate";

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

/** Applies the migrations to the database at `url` over a connection of its own. */
async function migrateDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(client);
  } finally {
    await client.end();
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
