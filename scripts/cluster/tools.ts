import { execFileSync } from "node:child_process";
import fs from "node:fs";
import type pg from "pg";

/**
 * The path of PostgreSQL's client program `name` (pg_dump, pg_restore) of the same major version as the server
 * `db` reaches: a dump made or read by another version is refused or unsafe. Throws saying what to install.
 */
export async function serverTool(db: pg.Pool, name: string): Promise<string> {
  const { rows } = await db.query<{ v: string }>("SHOW server_version_num");
  const major = Math.floor(Number(rows[0]!.v) / 10000);
  const candidates = [`/usr/lib/postgresql/${major}/bin/${name}`, name];
  for (const candidate of candidates) {
    try {
      const version = execFileSync(candidate, ["--version"]).toString(); // "pg_dump (PostgreSQL) 15.18 ..."
      if (Number(/\) (\d+)/.exec(version)?.[1]) === major) return candidate;
    } catch {
      // not there
    }
  }
  const embedded = fs.existsSync(".data/postgres/PG_VERSION") && major >= 16;
  throw new Error(
    `no ${name} of PostgreSQL ${major} on this machine, and another version's would refuse or misread the server: install ` +
      `postgresql-client-${major}` +
      (embedded
        ? ` (the embedded server's npm package ships the server only; for backups run the database as a cluster: npm run cluster -- up)`
        : ""),
  );
}
