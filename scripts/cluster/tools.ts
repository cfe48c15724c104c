import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import { isAlive } from "../process-tree";

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

/** The postmaster of the data directory `dir`, from its postmaster.pid: null when it does not run. */
export function postmasterPid(dir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, "postmaster.pid"), "utf8").split("\n")[0]);
    return pid && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

function stoppedEmbedded(dir: string, doing: string): string {
  const absolute = path.resolve(dir);
  if (!fs.existsSync(path.join(absolute, "PG_VERSION")))
    throw new Error(`${absolute} holds no PostgreSQL data directory: nothing to ${doing}`);
  if (postmasterPid(absolute) !== null)
    throw new Error(`the embedded PostgreSQL of ${absolute} is running (npm start runs it): stop the app, then ${doing} again`);
  return absolute;
}

/**
 * A file-level backup of the embedded server: its whole data directory `dir` (with its passwords file) into the
 * gzipped tar `file`, while the server is stopped (PostgreSQL's "file system level backup": consistent only so).
 */
export function copyEmbeddedDirectory(dir: string, file: string): void {
  const absolute = stoppedEmbedded(dir, "back it up");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    execFileSync("tar", ["-czf", file, "-C", path.dirname(absolute), path.basename(absolute)], { stdio: ["ignore", "inherit", "pipe"] });
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw new Error(`tar could not copy ${absolute}: ${(e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}`);
  }
}

/**
 * Puts the copy `file` (copyEmbeddedDirectory's) back as the embedded server's data directory `dir`, while the
 * server is stopped; the directory it replaces is kept beside it, renamed. Returns that name (null if there was none).
 */
export function restoreEmbeddedDirectory(file: string, dir: string): string | null {
  const absolute = path.resolve(dir);
  const exists = fs.existsSync(absolute);
  if (exists) stoppedEmbedded(absolute, "restore into it");
  const listing = execFileSync("tar", ["-tzf", file]).toString().split("\n");
  const top = listing[0]?.split("/")[0];
  if (!top || !listing.some((entry) => entry === `${top}/PG_VERSION`))
    throw new Error(`${file} is not a copy of a data directory (npm run db:backup makes one): no ${top ?? "?"}/PG_VERSION in it`);
  const unpacked = fs.mkdtempSync(path.join(path.dirname(absolute), ".restoring-"));
  try {
    execFileSync("tar", ["-xzf", file, "-C", unpacked], { stdio: ["ignore", "inherit", "pipe"] });
    const kept = exists ? `${absolute}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}` : null;
    if (kept) fs.renameSync(absolute, kept);
    fs.renameSync(path.join(unpacked, top), absolute);
    return kept;
  } finally {
    fs.rmSync(unpacked, { recursive: true, force: true });
  }
}
