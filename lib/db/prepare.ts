import pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import { env } from "../env";
import { pointAtDatabase } from "./url";
import { APP_DATABASE, APP_ROLE, serverUrl } from "./credentials";
import { ensureDatabaseExists, startEmbeddedPostgres, type EmbeddedServer } from "./embedded";
import { migrate, withMigrationLock } from "./migrate";
import { log } from "../log";

export interface PreparedDatabase {
  url: string;
  /** Stops the embedded server when this process started it. */
  stop(): Promise<void>;
  /** The embedded server, when DATABASE_URL is unset (its `exited` is null when another process runs it). */
  embedded: EmbeddedServer | null;
}

/**
 * What a database needs beyond the migrations, made under the migration lock right after them (the job
 * runtime's queues, createQueues in lib/jobs): given by the caller, so that the database layer knows no feature.
 */
export type DatabaseSetUp = (url: string) => Promise<void>;

/**
 * Makes the database ready for use by commands and the launcher: when DATABASE_URL is unset, starts the
 * embedded PostgreSQL (or joins the one already running) and points this process's connections at it; then applies
 * the migrations and `setUp`.
 */
export async function prepareDatabase(setUp: DatabaseSetUp): Promise<PreparedDatabase> {
  const settings = env();
  let url = settings.DATABASE_URL;
  let stop = async () => {};
  let embedded: EmbeddedServer | null = null;
  if (!url) {
    const server = await startEmbeddedPostgres(settings.EMBEDDED_PG_DIR, settings.EMBEDDED_PG_PORT);
    url = await prepareAppRole(server, settings.EMBEDDED_PG_PORT);
    pointAtDatabase(url);
    stop = server.stop;
    embedded = server;
  }
  await migrateDatabase(url, setUp);
  return { url, stop, embedded };
}

/**
 * Makes the embedded server's app role (no superuser, no right to create roles or databases) and its
 * database, which it owns, and returns the app's URL. A database made by an earlier version, as the
 * superuser, is handed over with everything in it.
 */
async function prepareAppRole(server: EmbeddedServer, port: number): Promise<string> {
  if (!server.appPassword) throw new Error("the embedded server has no app password yet: start it with npm start first");
  await ensureAppRole(server.adminUrl, server.appPassword);
  return serverUrl(port, APP_ROLE, server.appPassword, APP_DATABASE);
}

/**
 * On the server at `adminUrl` (a superuser's URL): the app role with `password`, and its database, which it
 * owns (also what `npm run cluster -- up` makes on the replicated cluster).
 */
export async function ensureAppRole(adminUrl: string, appPassword: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await withMigrationLock(admin, async () => {
      const password = admin.escapeLiteral(appPassword);
      const { rowCount } = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [APP_ROLE]);
      await admin.query(
        `${rowCount ? "ALTER" : "CREATE"} ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD ${password}`,
      );
      const { rows } = await admin.query<{ owner: string }>("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1", [
        APP_DATABASE,
      ]);
      if (rows.length === 0) await admin.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_ROLE}`);
      else if (rows[0]!.owner !== APP_ROLE) await admin.query(`ALTER DATABASE ${APP_DATABASE} OWNER TO ${APP_ROLE}`);
      // Every time, under the lock: it changes nothing once done, and finishes a hand-over a crash cut short.
      await handOverObjects(withDatabase(adminUrl, APP_DATABASE));
    });
  } finally {
    await admin.end();
  }
}

/** Gives the app role every schema, table, sequence, type and function the superuser made in the database. */
async function handOverObjects(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(HAND_OVER);
  } finally {
    await client.end();
  }
}

const HAND_OVER = `
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT nspname FROM pg_namespace WHERE nspowner = 'postgres'::regrole
           AND left(nspname, 3) <> 'pg_' AND nspname NOT IN ('information_schema', 'public') LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO ${APP_ROLE}', r.nspname);
  END LOOP;
  FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relowner = 'postgres'::regrole AND left(n.nspname, 3) <> 'pg_' AND n.nspname <> 'information_schema'
           AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))) LOOP
    EXECUTE format('ALTER %s %s OWNER TO ${APP_ROLE}',
      CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.name);
  END LOOP;
  FOR r IN SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE t.typowner = 'postgres'::regrole AND left(n.nspname, 3) <> 'pg_' AND n.nspname <> 'information_schema'
           AND t.typtype IN ('e', 'd') LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO ${APP_ROLE}', r.name);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE p.proowner = 'postgres'::regrole AND left(n.nspname, 3) <> 'pg_' AND n.nspname <> 'information_schema' LOOP
    EXECUTE format('ALTER %s %s OWNER TO ${APP_ROLE}', CASE r.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, r.name);
  END LOOP;
END $$`;

/**
 * Applies the migrations to the database at `url` and sets up the rest (the queue's schema and queues), all
 * under the migration lock, before any web server or worker uses them. A step that meets a deadlock or serialization
 * failure anyway (another program's DDL) is tried again.
 */
async function migrateDatabase(url: string, setUp: DatabaseSetUp): Promise<void> {
  await retryTransient(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await withMigrationLock(client, async () => {
        await migrate(client);
        await setUp(url);
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
      const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
      if (attempt >= tries || !TRANSIENT.has(code ?? "")) throw e;
      log().warn(`${(e as Error).message}; trying again (${attempt}/${tries - 1})`);
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

/** The URL of the database `name` on the server, migrated and set up, if it exists; null if it does not. */
export async function existingDatabase(adminUrl: string, name: string, setUp: DatabaseSetUp): Promise<string | null> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    if (!(await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount) return null;
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  await migrateDatabase(url, setUp);
  return url;
}

/** Drops `name` on the server if it exists, creates it afresh, migrates it and sets it up; returns its URL. */
export async function freshDatabase(adminUrl: string, name: string, setUp: DatabaseSetUp): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await ensureDatabaseExists(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  await migrateDatabase(url, setUp);
  return url;
}
