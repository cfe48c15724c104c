// A replicated PostgreSQL on this machine's loopback, from the deployment example in deploy/: one etcd member,
// three PostgreSQL 15 members under Patroni (synchronous replication), HAProxy in front and a pgBackRest
// repository on disk, all under .data/cluster. `npm run cluster`, `npm run chaos -- failover`, `db:backup` and
// `db:restore` drive it through this module. The configuration files are deploy/'s, read and given this
// machine's addresses, ports and directories; nothing else in them changes.
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import YAML from "yaml";
import pg from "pg";
import { APP_DATABASE, APP_ROLE, serverUrl } from "../../lib/db/credentials";
import { ensureAppRole } from "../../lib/db/prepare";
import { isAlive } from "../process-tree";
import { postmasterPid } from "./tools";

export const MEMBERS = ["db1", "db2", "db3"] as const;
export type Member = (typeof MEMBERS)[number];

/** What each program comes from, in Debian's packages (PostgreSQL 15 is the version deploy/ is written for). */
const PROGRAMS: Record<string, string> = {
  etcd: "etcd-server",
  etcdctl: "etcd-client",
  patroni: "patroni",
  patronictl: "patroni",
  haproxy: "haproxy",
  pgbackrest: "pgbackrest",
};
const PG_BIN = "/usr/lib/postgresql/15/bin";

const which = (program: string) => {
  try {
    return (
      execFileSync("sh", ["-c", `command -v ${program}`])
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
};

/** Installs what is missing through apt when this is root on Debian, else says exactly what to install. */
export function ensurePrograms(): void {
  const missing = Object.keys(PROGRAMS).filter((p) => !which(p));
  if (!fs.existsSync(path.join(PG_BIN, "postgres"))) missing.push("postgres");
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((p) => PROGRAMS[p] ?? "postgresql-15"))];
  const command = `apt-get install -y ${packages.join(" ")}`;
  if (process.getuid?.() !== 0 || !which("apt-get"))
    throw new Error(
      `the cluster needs ${missing.join(", ")}: install them with \`sudo ${command}\` (Debian 12 packages) and run this again`,
    );
  console.log(`installing ${packages.join(", ")} (${missing.join(", ")} missing) ...`);
  execFileSync("sh", ["-c", `apt-get update -qq && DEBIAN_FRONTEND=noninteractive ${command} -qq`], { stdio: "inherit" });
}

/** The user PostgreSQL runs as: this one, or `postgres` when this is root (PostgreSQL refuses to run as root). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
  return { uid: id("-u"), gid: id("-g") };
}

interface Credentials {
  superuser: string;
  replication: string;
  rewind: string;
  app: string;
}

export interface MemberState {
  name: Member;
  role: "leader" | "sync_standby" | "replica" | string;
  state: string;
  lagBytes: number | null;
}

export class LocalCluster {
  readonly dir: string;
  private readonly user = runAs();

  constructor(
    dir = ".data/cluster",
    readonly basePort = Number(process.env.CLUSTER_PORT ?? 55400),
  ) {
    this.dir = path.resolve(dir);
  }

  // Ports: etcd's client and peer, HAProxy's leader, replicas and stats pages, then each member's PostgreSQL and REST API.
  get etcdPort() {
    return this.basePort;
  }
  get leaderPort() {
    return this.basePort + 2;
  }
  get replicasPort() {
    return this.basePort + 3;
  }
  get statsPort() {
    return this.basePort + 4;
  }
  pgPort(member: Member) {
    return this.basePort + 10 + MEMBERS.indexOf(member) + 1;
  }
  restPort(member: Member) {
    return this.basePort + 20 + MEMBERS.indexOf(member) + 1;
  }
  dataDir(member: Member) {
    return path.join(this.dir, member, "data");
  }
  private file(name: string) {
    return path.join(this.dir, name);
  }

  credentials(): Credentials {
    const file = this.file("credentials.json");
    if (!fs.existsSync(file)) {
      const made: Credentials = { superuser: secret(), replication: secret(), rewind: secret(), app: secret() };
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(made), { mode: 0o600 });
    }
    return JSON.parse(fs.readFileSync(file, "utf8")) as Credentials;
  }

  /** The app's URLs: the leader through HAProxy, the replicas through HAProxy, and a superuser's on the leader. */
  urls() {
    const c = this.credentials();
    return {
      DATABASE_URL: serverUrl(this.leaderPort, APP_ROLE, c.app, APP_DATABASE),
      DATABASE_READ_URL: serverUrl(this.replicasPort, APP_ROLE, c.app, APP_DATABASE),
      PATRONI_API: `http://127.0.0.1:${this.restPort("db1")}`,
      adminUrl: serverUrl(this.leaderPort, "postgres", c.superuser, "postgres"),
    };
  }

  /** A superuser's URL straight to one member (not through HAProxy). */
  memberUrl(member: Member, database = "postgres"): string {
    return serverUrl(this.pgPort(member), "postgres", this.credentials().superuser, database);
  }

  // ---- configuration, from deploy/ ----

  private pgbackrestConfig(): string {
    const deployed = fs.readFileSync("deploy/pgbackrest.conf", "utf8");
    const local = [
      `repo1-path=${this.file("backups")}`,
      `log-path=${this.file("pgbackrest/log")}`,
      `lock-path=${this.file("pgbackrest/lock")}`,
      `spool-path=${this.file("pgbackrest/spool")}`,
    ];
    // The repository on disk instead of the bucket (and unencrypted: it never leaves this machine).
    const global = deployed
      .split("\n")
      .filter((line) => !/^repo1-(type|s3-|path|cipher)/.test(line) && !/^pg1-/.test(line))
      .join("\n")
      .replace("[global]\n", `[global]\n${local.join("\n")}\n`);
    return `${global.trimEnd()}\n`;
  }

  /** pgBackRest as this cluster's commands run it: its configuration, its stanza, the member `on` as its pg1. */
  pgbackrestArgs(on: Member): string[] {
    return [
      `--config=${this.file("pgbackrest.conf")}`,
      "--stanza=storemon",
      `--pg1-path=${this.dataDir(on)}`,
      `--pg1-port=${this.pgPort(on)}`,
      `--pg1-socket-path=${path.join(this.dir, on)}`,
    ];
  }

  private patroniConfig(member: Member): string {
    const config = YAML.parse(fs.readFileSync(`deploy/patroni/${member}.yml`, "utf8"));
    const here = (port: number) => `127.0.0.1:${port}`;
    config.restapi.listen = config.restapi.connect_address = here(this.restPort(member));
    config.etcd3.hosts = here(this.etcdPort);
    const pg = config.postgresql;
    pg.listen = pg.connect_address = here(this.pgPort(member));
    pg.data_dir = this.dataDir(member);
    pg.bin_dir = PG_BIN;
    pg.pgpass = path.join(this.dir, member, "pgpass");
    const pgbackrest = `pgbackrest ${this.pgbackrestArgs(member).slice(0, 3).join(" ")}`;
    pg.parameters.archive_command = `${pgbackrest} archive-push %p`;
    pg.recovery_conf.restore_command = `${pgbackrest} archive-get %f "%p"`;
    pg.parameters.unix_socket_directories = path.join(this.dir, member);
    // Loopback addresses; and passwords on the socket too, since here PostgreSQL may run as another user than `postgres`.
    pg.pg_hba = [
      ...new Set(
        (pg.pg_hba as string[]).map((line) => line.replace(/10\.0\.0\.0\/24/, "127.0.0.1/32").replace(/ peer$/, " scram-sha-256")),
      ),
    ];
    // Three members share this machine's memory: a quarter of the buffers a database machine of its own gets.
    config.bootstrap.dcs.postgresql.parameters.shared_buffers = "256MB";
    config.log = { level: "INFO" };
    // YAML 1.1, as Patroni's PyYAML reads it: "on" stays a quoted string, not a boolean; commands unfolded.
    return YAML.stringify(config, { version: "1.1", lineWidth: 0 });
  }

  private haproxyConfig(): string {
    let text = fs.readFileSync("deploy/haproxy.cfg", "utf8");
    text = text
      .replace("bind 127.0.0.1:5000", `bind 127.0.0.1:${this.leaderPort}`)
      .replace("bind 127.0.0.1:5001", `bind 127.0.0.1:${this.replicasPort}`)
      .replace("bind 127.0.0.1:7000", `bind 127.0.0.1:${this.statsPort}`);
    for (const member of MEMBERS)
      text = text.replace(
        new RegExp(`server ${member} [0-9.]+:5432 (.*) check port 8008`, "g"),
        `server ${member} 127.0.0.1:${this.pgPort(member)} $1 check port ${this.restPort(member)}`,
      );
    return text;
  }

  private etcdConfig(): string {
    const config = YAML.parse(fs.readFileSync("deploy/etcd.yml", "utf8"));
    const client = `http://127.0.0.1:${this.etcdPort}`;
    const peer = `http://127.0.0.1:${this.etcdPort + 1}`;
    Object.assign(config, {
      name: "local",
      "data-dir": this.file("etcd"),
      "listen-client-urls": client,
      "advertise-client-urls": client,
      "listen-peer-urls": peer,
      "initial-advertise-peer-urls": peer,
      "initial-cluster": `local=${peer}`,
    });
    return YAML.stringify(config, { version: "1.1", lineWidth: 0 });
  }

  private writeConfigs(): void {
    for (const sub of ["logs", "run", "backups", "pgbackrest/log", "pgbackrest/lock", "pgbackrest/spool", ...MEMBERS])
      fs.mkdirSync(this.file(sub), { recursive: true });
    fs.writeFileSync(this.file("pgbackrest.conf"), this.pgbackrestConfig());
    fs.writeFileSync(this.file("haproxy.cfg"), this.haproxyConfig());
    fs.writeFileSync(this.file("etcd.yml"), this.etcdConfig());
    for (const member of MEMBERS) fs.writeFileSync(this.file(`${member}.yml`), this.patroniConfig(member));
    if (this.user) {
      const { uid, gid } = this.user;
      // What PostgreSQL, Patroni and pgBackRest write: the members' directories, the repository, pgBackRest's own.
      const theirs = ["backups", "pgbackrest", "pgbackrest/log", "pgbackrest/lock", "pgbackrest/spool", ...MEMBERS];
      for (const name of [...theirs, ...MEMBERS.map((m) => `${m}.yml`), "pgbackrest.conf"]) fs.chownSync(this.file(name), uid, gid);
    }
  }

  // ---- processes ----

  private pidFile(name: string) {
    return this.file(`run/${name}.pid`);
  }

  pid(name: string): number | null {
    try {
      const pid = Number(fs.readFileSync(this.pidFile(name), "utf8"));
      return pid && isAlive(pid) ? pid : null;
    } catch {
      return null;
    }
  }

  /** The member's postmaster, from its postmaster.pid (null when it does not run). */
  postmasterPid(member: Member): number | null {
    return postmasterPid(this.dataDir(member));
  }

  private start(name: string, command: string, args: string[], asPostgres: boolean): void {
    if (this.pid(name)) return;
    const out = fs.openSync(this.file(`logs/${name}.log`), "a");
    const c = this.credentials();
    const child = spawn(command, args, {
      detached: true,
      stdio: ["ignore", out, out],
      cwd: this.dir,
      ...(asPostgres ? this.user : {}),
      env: {
        ...process.env,
        PATRONI_SUPERUSER_PASSWORD: c.superuser,
        PATRONI_REPLICATION_PASSWORD: c.replication,
        PATRONI_REWIND_PASSWORD: c.rewind,
      },
    });
    child.unref();
    fs.closeSync(out);
    fs.writeFileSync(this.pidFile(name), String(child.pid));
  }

  startMember(member: Member): void {
    this.start(member, "patroni", [this.file(`${member}.yml`)], true);
  }

  /** Patroni's REST API of `member`: GET `p` as JSON (null when it does not answer). */
  async rest<T = Record<string, unknown>>(member: Member, p: string, init: RequestInit = {}): Promise<{ status: number; body: T } | null> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.restPort(member)}${p}`, { ...init, signal: AbortSignal.timeout(2000) });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
    } catch {
      return null;
    }
  }

  /** The members as the first one that answers sees them (GET /cluster). */
  async members(): Promise<MemberState[]> {
    for (const member of MEMBERS) {
      const answer = await this.rest<{ members: { name: Member; role: string; state: string; lag?: number | string }[] }>(
        member,
        "/cluster",
      );
      if (answer?.status === 200)
        return answer.body.members.map((m) => ({
          name: m.name,
          role: m.role,
          state: m.state,
          lagBytes: typeof m.lag === "number" ? m.lag : null,
        }));
    }
    return [];
  }

  async leader(): Promise<Member | null> {
    return (await this.members()).find((m) => m.role === "leader" && m.state === "running")?.name ?? null;
  }

  /** The members HAProxy sends `listener`'s connections to now (its stats page, as CSV). */
  async haproxyUp(listener: "leader" | "replicas"): Promise<string[]> {
    const csv = await fetch(`http://127.0.0.1:${this.statsPort}/;csv`)
      .then((r) => r.text())
      .catch(() => "");
    // Columns: pxname, svname, ..., status (the 18th).
    return csv
      .split("\n")
      .map((line) => line.split(","))
      .filter((f) => f[0] === listener && (MEMBERS as readonly string[]).includes(f[1]!) && f[17] === "UP")
      .map((f) => f[1]!);
  }

  /** Waits until a leader runs with a synchronous replica and `replicas` replicas streaming in all. */
  async healthy(replicas = 2, timeoutMs = 120_000): Promise<MemberState[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const members = await this.members();
      const leader = members.find((m) => m.role === "leader" && m.state === "running");
      const streaming = members.filter((m) => m.role !== "leader" && (m.state === "streaming" || m.state === "running"));
      if (leader && streaming.length >= replicas && (replicas === 0 || streaming.some((m) => m.role === "sync_standby"))) return members;
      if (Date.now() > deadline)
        throw new Error(`the cluster is not healthy after ${timeoutMs / 1000} s: ${JSON.stringify(members)}; logs in ${this.file("logs")}`);
      await sleep(500);
    }
  }

  /** Starts what does not run yet, creates the app's role and database, and the backup repository's stanza. */
  async up(log: (line: string) => void = console.log): Promise<void> {
    ensurePrograms();
    this.credentials();
    this.writeConfigs();
    this.start("etcd", "etcd", ["--config-file", this.file("etcd.yml")], false);
    await waitUntil(
      async () =>
        (await fetch(`http://127.0.0.1:${this.etcdPort}/health`)
          .then((r) => r.ok)
          .catch(() => false)) || undefined,
      30_000,
      "etcd",
    );
    for (const member of MEMBERS) this.startMember(member);
    log("waiting for a leader and two replicas (the first start runs initdb and copies it twice) ...");
    await this.healthy();
    this.start("haproxy", "haproxy", ["-f", this.file("haproxy.cfg")], false);
    const { adminUrl } = this.urls();
    // HAProxy takes every member for up until its checks say otherwise: wait until its leader port has one member
    // up (its stats page, as CSV), and that member takes writes.
    await waitUntil(
      async () => ((await this.haproxyUp("leader")).length === 1 && (await takesWrites(adminUrl))) || undefined,
      30_000,
      "HAProxy's leader port to reach the leader alone",
    );
    await ensureAppRole(adminUrl, this.credentials().app);
    await this.ensureStanza();
  }

  private async ensureStanza(): Promise<void> {
    const leader = (await this.leader())!;
    if (fs.existsSync(this.file("backups/backup/storemon/backup.info"))) return;
    this.pgbackrest(leader, ["stanza-create"]);
  }

  /** How pgBackRest runs: as postgres when this is root, with the superuser's password for its connections. */
  private pgbackrestOptions() {
    return {
      ...this.user,
      cwd: this.dir,
      env: { ...process.env, PGPASSWORD: this.credentials().superuser },
      stdio: ["ignore", "pipe", "pipe"] as ["ignore", "pipe", "pipe"],
    };
  }

  /** Runs pgBackRest with `args` against `on` (null: no member, for the repository's own commands), as postgres when this is root; returns its output. */
  pgbackrest(on: Member | null, args: string[]): string {
    const all = [...(on ? this.pgbackrestArgs(on) : this.pgbackrestArgs(MEMBERS[0]).slice(0, 2)), ...args];
    try {
      return execFileSync("pgbackrest", all, this.pgbackrestOptions()).toString();
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`pgbackrest ${args.join(" ")} failed:\n${`${stdout ?? ""}${stderr ?? ""}`.trim()}`);
    }
  }

  /** A planned switchover: the leader hands over to `candidate` (Patroni's POST /switchover), and steps down as its replica. */
  async switchover(candidate: Member): Promise<void> {
    const leader = await this.leader();
    if (!leader) throw new Error("the cluster has no leader to switch over from");
    const answer = await fetch(`http://127.0.0.1:${this.restPort(leader)}/switchover`, {
      method: "POST",
      body: JSON.stringify({ leader, candidate }),
      signal: AbortSignal.timeout(60_000),
    });
    if (!answer.ok) throw new Error(`switchover from ${leader} to ${candidate} refused: ${answer.status} ${await answer.text()}`);
  }

  /** A backup into the repository, taken from the leader: `full`, `diff` (since the last full) or `incr` (since the last). */
  async backup(type: "full" | "diff" | "incr"): Promise<string> {
    const leader = await this.leader();
    if (!leader) throw new Error("the cluster has no leader: no backup taken");
    return this.pgbackrest(leader, [`--type=${type}`, "backup"]);
  }

  /** The backups in the repository, as pgBackRest lists them. */
  backups(): string {
    return this.pgbackrest(null, ["info"]);
  }

  /**
   * Restores the repository's newest backup before `to` (an instant pgBackRest and PostgreSQL read, e.g.
   * "2026-12-07 21:30:00+00") into `dir`, a fresh data directory, replays the archived WAL up to that instant and
   * starts it on `port` as a server of its own (not a member: no replication, no archiving). Returns its
   * superuser's URL and how to stop it.
   */
  async restore(to: string, dir: string, port: number): Promise<{ url: string; stop(): Promise<void> }> {
    const target = path.resolve(dir);
    if (fs.existsSync(target) && fs.readdirSync(target).length) throw new Error(`${target} is not empty: restore into a fresh directory`);
    fs.mkdirSync(target, { recursive: true, mode: 0o700 });
    if (this.user) fs.chownSync(target, this.user.uid, this.user.gid);
    this.pgbackrest(null, [`--pg1-path=${target}`, "--type=time", `--target=${to}`, "--target-action=promote", "restore"]);
    // The member's own settings stay in the copy (its port, its synchronous standby); these replace them.
    const options = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${target}`,
      "-c archive_mode=off",
      "-c synchronous_standby_names=",
      "-c shared_buffers=256MB",
      `-c hba_file=${path.join(target, "pg_hba.conf")}`,
    ].join(" ");
    const pgCtl = path.join(PG_BIN, "pg_ctl");
    execFileSync(pgCtl, ["-D", target, "-l", path.join(target, "restore.log"), "-w", "-t", "600", "-o", options, "start"], {
      ...this.user,
      cwd: this.dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = serverUrl(port, "postgres", this.credentials().superuser, "postgres");
    await waitUntil(
      async () => {
        if (!fs.existsSync(path.join(target, "postmaster.pid"))) {
          const log = fs.readFileSync(path.join(target, "restore.log"), "utf8").trim().split("\n").slice(-4).join("\n");
          throw new Error(`the restored server in ${target} stopped:\n${log}`);
        }
        return (await takesWrites(url)) || undefined;
      },
      600_000,
      `the restored server in ${target} to replay its WAL up to ${to}`,
    );
    const stop = async () => {
      execFileSync(pgCtl, ["-D", target, "-m", "fast", "-w", "stop"], { ...this.user, cwd: this.dir, stdio: "ignore" });
    };
    return { url, stop };
  }

  /** SIGKILL to `member`'s Patroni and PostgreSQL together: its machine is lost. */
  killMember(member: Member): void {
    const pids = [this.pid(member), this.postmasterPid(member)].filter((p): p is number => p !== null);
    for (const pid of pids) process.kill(pid, "SIGKILL");
    // The postmaster's children notice it is gone and exit by themselves within a moment.
  }

  /** Stops HAProxy, the members (Patroni stops its PostgreSQL) and etcd. */
  async down(): Promise<void> {
    await this.stop("haproxy");
    await Promise.all(MEMBERS.map((m) => this.stop(m, 60_000)));
    for (const member of MEMBERS) {
      const postmaster = this.postmasterPid(member);
      if (postmaster) process.kill(postmaster, "SIGINT"); // a PostgreSQL its Patroni left behind (killed)
    }
    await waitUntil(() => MEMBERS.every((m) => !this.postmasterPid(m)) || undefined, 30_000, "the members' PostgreSQL to stop");
    await this.stop("etcd");
  }

  async stop(name: string, timeoutMs = 15_000): Promise<void> {
    const pid = this.pid(name);
    if (!pid) return;
    process.kill(pid, "SIGTERM");
    if (!(await waitUntil(() => !isAlive(pid) || undefined, timeoutMs, name).catch(() => false))) process.kill(pid, "SIGKILL");
    fs.rmSync(this.pidFile(name), { force: true });
  }

  running(): boolean {
    return this.pid("etcd") !== null || MEMBERS.some((m) => this.pid(m) !== null);
  }
}

const secret = () => crypto.randomBytes(18).toString("base64url");

/** Whether `url` reaches a server that takes writes: one not in recovery (a replica, a restore replaying its WAL). */
async function takesWrites(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return !(await client.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r")).rows[0]!.r;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Calls `check` every 200 ms until it returns something; throws naming `what` after `timeoutMs`. */
export async function waitUntil<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(200);
  }
}
