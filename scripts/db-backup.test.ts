// npm run db:backup and db:restore on the embedded server (no cluster, no DATABASE_URL): a copy of its data directory
// taken while it is stopped, refused while it runs, and put back in place with the replaced directory kept.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { expect, it } from "vitest";
import { startEmbeddedPostgres } from "../lib/db/embedded";

const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "storemon-backup-")), "postgres");
fs.chmodSync(path.dirname(dir), 0o755); // run as root, the server runs as postgres, which must reach its directory
const port = Number(process.env.EMBEDDED_PG_PORT ?? 54329) + 7;
const { DATABASE_URL: _url, DATABASE_READ_URL: _read, ...inherited } = process.env;
const command = (script: string, ...args: string[]) =>
  promisify(execFile)(process.execPath, ["--import", "tsx", `scripts/${script}.ts`, ...args], {
    env: { ...inherited, EMBEDDED_PG_DIR: dir, EMBEDDED_PG_PORT: String(port), CLUSTER_PORT: String(port + 100) },
  });

/** Runs `work` on the embedded server of `dir`, started for it and stopped after. */
async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const server = await startEmbeddedPostgres(dir, port);
  const client = new pg.Client({ connectionString: server.adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
    await server.stop();
  }
}
const count = (client: pg.Client) => client.query("SELECT count(*)::int AS n FROM kept").then((r) => r.rows[0].n as number);

it("copies the stopped embedded server's data directory, refuses while it runs, and restores the copy in place", async () => {
  await onServer((client) => client.query("CREATE TABLE kept AS SELECT g AS n FROM generate_series(1, 1000) g"));
  const { stdout } = await command("db-backup");
  const file = /copied to (\S+\.tar\.gz)/.exec(stdout)?.[1];
  expect(file && fs.existsSync(file)).toBeTruthy();
  try {
    // A bad change, then the copy put back: the data directory as it was, the changed one kept beside it.
    const running = await startEmbeddedPostgres(dir, port);
    try {
      await expect(command("db-backup")).rejects.toMatchObject({ stderr: expect.stringMatching(/is running .*stop the app/) });
      await expect(command("db-restore", "--file", file!)).rejects.toMatchObject({ stderr: expect.stringMatching(/is running/) });
    } finally {
      await running.stop();
    }
    await onServer((client) => client.query("DELETE FROM kept WHERE n > 1"));
    const restored = await command("db-restore", "--file", file!);
    expect(restored.stdout).toMatch(/the directory it replaced is kept as \S+before-restore-/);
    expect(await onServer(count)).toBe(1000);
    const kept = fs.readdirSync(path.dirname(dir)).filter((name) => name.startsWith("postgres.before-restore-"));
    expect(kept).toHaveLength(1);
    // Something else than a copy of a data directory is refused, and the directory left alone.
    const notACopy = path.join(path.dirname(dir), "not-a-copy.tar.gz");
    await promisify(execFile)("tar", ["-czf", notACopy, "-C", os.tmpdir(), path.basename(path.dirname(dir)) + "/" + kept[0] + "/base"]);
    await expect(command("db-restore", "--file", notACopy)).rejects.toMatchObject({
      stderr: expect.stringMatching(/not a copy of a data directory/),
    });
    expect(await onServer(count)).toBe(1000);
  } finally {
    fs.rmSync(file!, { force: true });
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}, 120_000);
