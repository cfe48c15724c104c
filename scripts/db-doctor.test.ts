// npm run db:doctor against a real server: it names each setting that matters with its value and advice, prints
// the statements that would apply the advice, and changes nothing.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { pool } from "../lib/db/pool";
import { setUpTestDatabase } from "../tests/database";

const databaseUrl = await setUpTestDatabase();

it("prints each setting that matters, with advice and the statements to apply it, and changes nothing", async () => {
  const settings = async () => (await pool().query("SELECT name, setting FROM pg_settings ORDER BY name")).rows;
  const before = await settings();
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/db-doctor.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  for (const name of [
    "shared_buffers",
    "effective_cache_size",
    "work_mem",
    "maintenance_work_mem",
    "max_wal_size",
    "random_page_cost",
    "jit",
    "max_connections",
  ])
    expect(stdout).toMatch(new RegExp(`^(CHANGE|ok    ) ${name} = \\S+`, "m"));
  expect(stdout).toMatch(/^PostgreSQL \d+/m);
  expect(stdout).toMatch(/Nothing was changed\.|Nothing to change\./);
  for (const line of stdout.split("\n").filter((l) => l.startsWith("CHANGE"))) {
    const name = line.split(" ")[1];
    expect(stdout).toContain(`ALTER SYSTEM SET ${name} = '`);
  }
  expect(await settings()).toEqual(before);
});
