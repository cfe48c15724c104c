// npm run db:backup -- [--type full|diff|incr]
// With the local cluster running (npm run cluster -- up): a pgBackRest backup of it, taken from the leader, into its
// repository (.data/cluster/backups): full, differential (since the last full) or incremental (since the last
// backup, the default; pgBackRest makes a full one when there is none). WAL is archived continuously beside it, so
// `npm run db:restore -- --to <time>` reaches any moment since the oldest full backup kept.
// Otherwise, with DATABASE_URL: a logical backup of the app's database with pg_dump of that server's own major
// version, into .data/backups/. Without it, the embedded server: a copy of its whole data directory, taken while it is
// stopped, into .data/backups/ (its npm package ships no pg_dump, and no PostgreSQL 18 client installs on these
// machines; the copy is read back by the same server).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { databaseUrl } from "../lib/db/url";
import { pool } from "../lib/db/pool";
import { commandArgs, runCommand } from "./cli";
import { LocalCluster } from "./cluster/local";
import { copyEmbeddedDirectory, serverTool } from "./cluster/tools";
import { env } from "../lib/env";

const usage = "usage: npm run db:backup -- [--type full|diff|incr]";
const { values, positionals } = commandArgs({ type: { type: "string" } }, usage);
const type = values.type ?? "incr";
if (!["full", "diff", "incr"].includes(type) || positionals.length) {
  console.error(`--type must be full, diff or incr (got ${type})\n${usage}`);
  process.exit(2);
}

const cluster = new LocalCluster();
if (cluster.running()) {
  const started = Date.now();
  await cluster.backup(type as "full" | "diff" | "incr");
  console.log(`${type} backup of the cluster taken in ${((Date.now() - started) / 1000).toFixed(1)} s; the repository now holds:`);
  console.log(cluster.backups());
} else if (!env().DATABASE_URL) {
  const file = path.resolve(".data/backups", `embedded-${new Date().toISOString().replace(/[:.]/g, "-")}.tar.gz`);
  const started = Date.now();
  try {
    copyEmbeddedDirectory(env().EMBEDDED_PG_DIR, file);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  const size = (fs.statSync(file).size / 2 ** 20).toFixed(1);
  console.log(`the embedded server's data directory copied to ${file} (${size} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`restore it (with the app stopped) with: npm run db:restore -- --file ${path.relative(process.cwd(), file)}`);
} else {
  await runCommand(async () => {
    const pgDump = await serverTool(pool(), "pg_dump");
    const file = path.resolve(".data/backups", `storemon-${new Date().toISOString().replace(/[:.]/g, "-")}.dump`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const started = Date.now();
    execFileSync(pgDump, ["--format=custom", "--no-owner", "--file", file, databaseUrl()], { stdio: "inherit" });
    console.log(
      `logical backup written to ${file} (${(fs.statSync(file).size / 2 ** 20).toFixed(1)} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    console.log(
      `restore it into a fresh database with: npm run db:restore -- --file ${path.relative(process.cwd(), file)} --database <name>`,
    );
  });
}
