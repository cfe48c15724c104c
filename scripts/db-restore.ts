// npm run db:restore -- --to <time> [--dir D] [--port P]
//   The local cluster's backups (npm run db:backup) restored into a fresh server as it was at <time> (e.g.
//   "2026-12-07 21:30:00+00"): the newest backup before it, then the archived WAL replayed up to it. The server
//   starts on its own (default port CLUSTER_PORT + 40, data in .data/restored-<time>) and the command prints its
//   DATABASE_URL; the cluster is left as it is. Check it, then point the app at it, or copy what was lost back.
// npm run db:restore -- --file <dump> --database <name>
//   A logical backup (db:backup with DATABASE_URL) into a fresh database <name> on DATABASE_URL's server.
// npm run db:restore -- --file <copy>.tar.gz
//   A copy of the embedded server's data directory (db:backup without either) put back in its place, the app
//   stopped; the directory it replaces is kept beside it.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { APP_DATABASE, APP_ROLE, serverUrl } from "../lib/db/credentials";
import { withDatabase } from "../lib/db/prepare";
import { pool } from "../lib/db/pool";
import { databaseUrl } from "../lib/db/url";
import { commandArgs, runCommand } from "./cli";
import { LocalCluster } from "./cluster/local";
import { restoreEmbeddedDirectory, serverTool } from "./cluster/tools";
import { env } from "../lib/env";

const usage = "usage: npm run db:restore -- --to <time> [--dir D] [--port P] | --file <dump> --database <name> | --file <copy>.tar.gz";
const { values, positionals } = commandArgs(
  { to: { type: "string" }, dir: { type: "string" }, port: { type: "string" }, file: { type: "string" }, database: { type: "string" } },
  usage,
);
const fail = (message: string) => {
  console.error(`${message}\n${usage}`);
  process.exit(2);
};
if (positionals.length || (values.to === undefined) === (values.file === undefined)) fail("give either --to <time> or --file <dump>");

if (values.to !== undefined) {
  // A time with its zone's offset, as PostgreSQL and pgBackRest read it ("Z" is written +00).
  const given = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d{1,6})?)(Z|[+-]\d\d(?::?\d\d)?)$/.exec(values.to);
  if (!given) fail(`--to must be a time with its offset, e.g. "2026-12-07 21:30:00+00" or 2026-12-07T21:30:00Z (got ${values.to})`);
  const to = `${given![1]} ${given![2]}${given![3] === "Z" ? "+00" : given![3]}`;
  const cluster = new LocalCluster();
  const port = Number(values.port ?? cluster.basePort + 40);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port must be a port number (got ${values.port})`);
  const dir = path.resolve(values.dir ?? `.data/restored-${to.replace(/[^0-9]/g, "")}`);
  try {
    const started = Date.now();
    await cluster.restore(to, dir, port);
    console.log(`restored as of ${to} into ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s; the server runs on port ${port}:`);
    console.log(`DATABASE_URL=${serverUrl(port, APP_ROLE, cluster.credentials().app, APP_DATABASE)}`);
    console.log(`stop it with: pg_ctl -D ${dir} stop${process.getuid?.() === 0 ? " (as postgres: runuser -u postgres -- ...)" : ""}`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
} else if (values.file!.endsWith(".tar.gz")) {
  if (values.database !== undefined) fail("--database goes with a logical backup (a .dump), not a copy of the embedded server (.tar.gz)");
  try {
    const kept = restoreEmbeddedDirectory(values.file!, env().EMBEDDED_PG_DIR);
    console.log(
      `${values.file} is the embedded server's data directory again (${path.resolve(env().EMBEDDED_PG_DIR)}); npm start runs on it`,
    );
    if (kept) console.log(`the directory it replaced is kept as ${kept}: delete it once the restored data is checked`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
} else {
  const database = values.database;
  if (!database || !/^[a-z_][a-z0-9_]*$/.test(database))
    fail(`--database must be a new database's name, e.g. storemon_restored (got ${database})`);
  await runCommand(async () => {
    const pgRestore = await serverTool(pool(), "pg_restore");
    await pool().query(`CREATE DATABASE ${database}`);
    execFileSync(pgRestore, ["--no-owner", "--exit-on-error", "--dbname", withDatabase(databaseUrl(), database!), values.file!], {
      stdio: "inherit",
    });
    console.log(`restored ${values.file} into the new database ${database}`);
  });
}
