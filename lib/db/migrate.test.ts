import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../tests/database";
import { migrate, readMigrations } from "./migrate";

const url = await createTestDatabase();
const client = new pg.Client({ connectionString: url });
await client.connect();
afterAll(() => client.end());

describe("migrations", () => {
  it("are plain SQL in Prisma's layout, in order", () => {
    const names = readMigrations().map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/);
    expect([...names].sort()).toEqual(names);
  });

  it("apply to an empty database and are recorded in _prisma_migrations", async () => {
    await client.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
    const applied = await migrate(client);
    expect(applied).toEqual(readMigrations().map((m) => m.name));
    const { rows } = await client.query(`SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows).toEqual(readMigrations().map((m) => ({ migration_name: m.name, checksum: m.checksum })));
    // Tables, not their partitions (poll-partitions.test.ts has those).
    const tables = await client.query(
      "SELECT tablename FROM pg_tables t JOIN pg_class c ON c.oid = format('%I.%I', t.schemaname, t.tablename)::regclass WHERE schemaname = 'public' AND NOT c.relispartition ORDER BY 1",
    );
    expect(tables.rows.map((r) => r.tablename)).toEqual([
      "_prisma_migrations",
      "account_sessions",
      "accounts",
      "alert_changes",
      "alert_checks",
      "alert_deliveries",
      "alert_round",
      "alert_rules",
      "api_keys",
      "auth_secret",
      "business_hours",
      "import_log",
      "incidents",
      "owner_members",
      "owners",
      "password_links",
      "poll_stores",
      "polls",
      "process_metrics",
      "rate_limits",
      "report_rows",
      "reports",
      "sessions",
      "store_days",
      "store_days_stale",
      "store_mutes",
      "store_timezones",
      "stores",
      "users",
      "verifications",
    ]);
  });

  it("are a no-op the second time", async () => {
    const before = await client.query(`SELECT id, finished_at FROM "_prisma_migrations" ORDER BY id`);
    expect(await migrate(client)).toEqual([]);
    const after = await client.query(`SELECT id, finished_at FROM "_prisma_migrations" ORDER BY id`);
    expect(after.rows).toEqual(before.rows);
  });

  it("refuse to run when an applied migration was edited", async () => {
    const [first, ...rest] = readMigrations();
    await expect(migrate(client, [{ ...first!, checksum: "changed" }, ...rest])).rejects.toThrow(/was changed after it was applied/);
  });
});
