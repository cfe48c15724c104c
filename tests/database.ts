import crypto from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { closePool, pool } from "../lib/db/pool";
import { disconnectPrisma } from "../lib/db/prisma";
import { stopQueue } from "../lib/jobs/queue";
import { withDatabase } from "../lib/db/prepare";
import { TEMPLATE_DB } from "./global-setup";

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject("adminUrl") });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty, migrated database for this test file, cloned from the template. */
export async function createTestDatabase(): Promise<string> {
  const name = `storemon_test_${crypto.randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`));
  return withDatabase(inject("adminUrl"), name);
}

/**
 * Points this test file's process (its pool, Prisma client and queue) at a fresh database of its own,
 * dropped when the file's tests are done.
 */
export async function setUpTestDatabase(): Promise<string> {
  const url = await createTestDatabase();
  process.env.DATABASE_URL = url;
  afterAll(async () => {
    await stopQueue();
    await closePool();
    await disconnectPrisma();
    const name = new URL(url).pathname.slice(1);
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });
  return url;
}

/** Every row of the three feed tables, to show that a refused load or upload changed nothing. */
export async function feedTables() {
  const q = (sql: string) =>
    pool()
      .query(sql)
      .then((r) => r.rows);
  return {
    polls: await q("SELECT store_id, timestamp_utc::text, status FROM polls ORDER BY 1, 2"),
    hours: await q("SELECT * FROM business_hours ORDER BY 1, 2, 3, 4"),
    zones: await q("SELECT * FROM store_timezones ORDER BY 1"),
    stores: await q("SELECT s.store_id, s.name, s.address, o.slug FROM stores s LEFT JOIN owners o ON o.id = s.owner_id ORDER BY 1"),
    owners: await q("SELECT slug, name FROM owners ORDER BY 1"),
  };
}
