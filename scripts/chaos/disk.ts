// disk: the embedded PostgreSQL's data directory on a small disk of its own (a tmpfs of DISK_MB), which fills up
// while pollers push polls, and is freed FULL_MS later. Full, PostgreSQL refuses to extend a table (53100) and
// goes on; then it is made to need a new WAL segment, as a busy server soon does (a message written to the WAL
// and a segment switch, until it cannot): that is a PANIC, and its crash recovery may fail for want of space too.
// While it is full, writes must answer 503 with Retry-After (never 500, never hang), and the log say what is
// full; the launcher must keep trying to start PostgreSQL rather than give up. Once space is back the app must
// serve again within a minute, with no one restarting it; no poll whose POST was answered 200 may be lost; and
// amcheck must find every index and table sound.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { env } from "../../lib/env";
import { APP_DATABASE, readCredentials, serverUrl } from "../../lib/db/credentials";
import { type Check, Launcher, seconds, waitFor } from "./harness";

const DISK_MB = 256;
const MOUNT = path.resolve(".data/chaos-disk");
const FULL_MS = 60_000;
const BACK_WITHIN_MS = 60_000;
const INGEST_KEY = "ingest-key-of-the-chaos-scenarios";
const REPORTS_KEY = "reports-key-of-the-chaos-scenarios";
const POLLERS = 4;
const POLLS_PER_PUSH = 100;
/** The first poll's instant; each poller's polls follow a second apart, so that no two are the same. */
const FIRST_POLL = Date.now() - 30 * 86_400_000;

interface Push {
  at: number;
  ms: number;
  /** 0: no answer within 10 s. */
  status: number;
  retryAfter: string | null;
  answer: string;
  polls: { store: string; at: number }[];
}

/** `pollers` pushing POLLS_PER_PUSH polls each, every 250 ms, until stopped: every push and its answer. */
function startPollers(app: Launcher): () => Promise<Push[]> {
  let pushing = true;
  const pushes: Push[] = [];
  const poller = async (n: number) => {
    const store = `chaos-disk-${n}`;
    for (let next = 0; pushing; next += POLLS_PER_PUSH) {
      const polls = Array.from({ length: POLLS_PER_PUSH }, (_, i) => ({ store, at: FIRST_POLL + (next + i) * 1000 }));
      const body = JSON.stringify(polls.map((p) => ({ store_id: p.store, timestamp_utc: new Date(p.at).toISOString(), status: "active" })));
      const at = Date.now();
      const push = await app
        .request("/api/polls", {
          method: "POST",
          body,
          headers: { Authorization: `Bearer ${INGEST_KEY}`, "Content-Type": "application/json" },
        })
        .then(
          async (r) => ({ status: r.status, retryAfter: r.headers.get("retry-after"), answer: (await r.text()).slice(0, 160) }),
          (e: Error) => ({ status: 0, retryAfter: null, answer: e.message }),
        );
      pushes.push({ at, ms: Date.now() - at, ...push, polls });
      await sleep(250);
    }
  };
  const running = Promise.all(Array.from({ length: POLLERS }, (_, n) => poller(n + 1)));
  return async () => {
    pushing = false;
    await running;
    return pushes;
  };
}

/** Fills the disk: a file of zeros written until there is no space left. */
function fill(): string {
  const filler = path.join(MOUNT, "filler");
  const fd = fs.openSync(filler, "w");
  const block = Buffer.alloc(2 ** 20);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

const freeMb = () => {
  const { bavail, bsize } = fs.statfsSync(MOUNT);
  return (bavail * bsize) / 2 ** 20;
};

/** A superuser's connection to the app's database on the launcher's embedded server. */
async function superuser(dataDir: string, port: number): Promise<pg.Client> {
  const credentials = readCredentials(dataDir);
  if (!credentials) throw new Error(`no credentials in ${dataDir}`);
  const client = new pg.Client({ connectionString: serverUrl(port, "postgres", credentials.superuser, APP_DATABASE) });
  await client.connect();
  client.on("error", () => {}); // the server's PANIC ends this connection: the query says so
  return client;
}

/**
 * Makes PostgreSQL write WAL into new segments (a message, then a switch to the next segment) until it cannot:
 * the recycled segments run out and a new one finds no space. Returns the segments switched and what ended it.
 */
async function growWal(dataDir: string, port: number): Promise<{ switches: number; ended: string }> {
  const client = await superuser(dataDir, port);
  let switches = 0;
  try {
    for (; switches < 100; switches++)
      await client.query("SELECT pg_logical_emit_message(false, 'chaos', repeat('x', 1000)), pg_switch_wal()");
    return { switches, ended: "the WAL still had room after 100 segments" };
  } catch (e) {
    return { switches, ended: (e as Error).message };
  } finally {
    await client.end().catch(() => {});
  }
}

/** What a superuser sees in the app's database: whether every acknowledged poll is there, and amcheck's verdict. */
async function inspect(dataDir: string, port: number, acknowledged: Push["polls"]) {
  const client = await superuser(dataDir, port);
  try {
    const { rows } = await client.query<{ store: string; at: number }>(
      `SELECT store_id AS store, (extract(epoch FROM timestamp_utc) * 1000)::float8 AS at FROM polls WHERE store_id LIKE 'chaos-disk-%'`,
    );
    const stored = new Set(rows.map((r) => `${r.store}@${r.at}`));
    const lost = acknowledged.filter((p) => !stored.has(`${p.store}@${p.at}`));
    await client.query("CREATE EXTENSION IF NOT EXISTS amcheck");
    // Every B-tree index (each partition's), its structure and that it holds every row of its table; and every table's heap.
    const indexes = await client.query<{ name: string }>(
      `SELECT c.oid::regclass::text AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
       WHERE a.amname = 'btree' AND c.relkind = 'i' AND c.relpersistence = 'p'`,
    );
    const indexProblems: string[] = [];
    for (const { name } of indexes.rows)
      await client
        .query("SELECT bt_index_check($1::regclass, true)", [name])
        .catch((e: Error) => indexProblems.push(`${name}: ${e.message}`));
    const heaps = await client.query<{ problems: number; tables: number }>(
      `SELECT count(v.*)::int AS problems, count(DISTINCT c.oid)::int AS tables
       FROM pg_class c LEFT JOIN LATERAL verify_heapam(c.oid) v ON true
       WHERE c.relkind IN ('r', 'm', 't') AND c.relpersistence = 'p'`,
    );
    const wal = await client.query<{ bytes: number }>("SELECT sum(size)::float8 AS bytes FROM pg_ls_waldir()");
    return { lost, indexes: indexes.rows.length, indexProblems, heap: heaps.rows[0]!, walMb: wal.rows[0]!.bytes / 2 ** 20 };
  } finally {
    await client.end();
  }
}

const mounted = () =>
  fs
    .readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .some((line) => line.split(" ")[1] === MOUNT);

/** Unmounts the tmpfs, waiting for the last of PostgreSQL's processes to leave it; the error when it cannot. */
async function unmount(): Promise<string | null> {
  let error = "";
  for (let i = 0; i < 20 && mounted(); i++) {
    try {
      execFileSync("umount", [MOUNT], { stdio: "pipe" });
    } catch (e) {
      error = (e as Error).message;
      await sleep(500);
    }
  }
  return mounted() ? error : null;
}

export async function disk(): Promise<Check[]> {
  fs.mkdirSync(MOUNT, { recursive: true });
  const left = await unmount(); // a run that ended badly
  if (left !== null) throw new Error(`a tmpfs is still mounted at ${MOUNT}: ${left}`);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${DISK_MB}m,mode=0755`, "tmpfs", MOUNT], { stdio: "pipe" });
  } catch (e) {
    throw new Error(`a tmpfs for the data directory could not be mounted at ${MOUNT} (this needs root): ${(e as Error).message}`);
  }
  const dataDir = path.join(MOUNT, "postgres");
  const port = env().EMBEDDED_PG_PORT + 4; // tests use +1 and +2, the other scenarios +3
  const app = await Launcher.start("disk", null, 1, {
    EMBEDDED_PG_DIR: dataDir,
    EMBEDDED_PG_PORT: String(port),
    SAMPLE_DATA: "on",
    API_KEYS: `ingest:${INGEST_KEY},reports:${REPORTS_KEY}`,
  });
  const checks: Check[] = [];
  try {
    if ((await app.ready(1, 180_000)) === null) throw new Error(`the app did not start:\n${app.output}`);
    const stopPollers = startPollers(app);
    await sleep(5_000);
    const fullAt = Date.now();
    const filler = fill();
    const freeWhenFull = freeMb();
    await sleep(5_000); // writes refused, PostgreSQL up
    const wal = await growWal(dataDir, port);
    await sleep(FULL_MS / 2 - 5_000);
    const trigger = await app.request("/trigger_report", { method: "POST", headers: { Authorization: `Bearer ${REPORTS_KEY}` } }).then(
      (r) => ({ status: r.status, retryAfter: r.headers.get("retry-after") }),
      () => ({ status: 0, retryAfter: null }),
    );
    const readyWhileFull = await app.request("/api/health/ready").then(
      (r) => r.status,
      () => 0,
    );
    await sleep(Math.max(0, fullAt + FULL_MS - Date.now()));
    fs.rmSync(filler);
    const freedAt = Date.now();
    const ready = await waitFor(
      async () =>
        (await app.request("/api/health/ready").then(
          (r) => r.status === 200,
          () => false,
        )) && Date.now(),
      BACK_WITHIN_MS * 2,
    );
    await sleep(5_000); // the pollers' pushes after it
    const pushes = await stopPollers();

    const whileFull = pushes.filter((p) => p.at >= fullAt + 1_000 && p.at + p.ms <= freedAt);
    const refused = whileFull.filter((p) => p.status !== 200);
    const wrong = refused.filter((p) => p.status !== 503 || !p.retryAfter);
    const firstServed = pushes.find((p) => p.at >= freedAt && p.status === 200);
    const acknowledged = pushes.filter((p) => p.status === 200).flatMap((p) => p.polls);
    const died = /embedded PostgreSQL \(pid \d+\) (exited|was killed)/.test(app.output);
    const failedStarts = (app.output.match(/PostgreSQL did not start \(attempt/g) ?? []).length;
    const restarted = app.output.match(/embedded PostgreSQL restarted[^"]*/)?.[0];
    const saidFull = /"msg":"the database is out of disk space/.test(app.output);
    const found = await inspect(dataDir, port, acknowledged);
    const childRestarts = app.restarts();

    checks.push(
      {
        check: `full for ${seconds(FULL_MS)} (${freeWhenFull.toFixed(0)} MB free of ${DISK_MB} MB): writes answer 503 + Retry-After`,
        figure: `${whileFull.length} pushes: ${whileFull.length - refused.length} answered 200, ${refused.length - wrong.length} 503 (slowest ${seconds(
          Math.max(0, ...refused.map((p) => p.ms)),
        )})${wrong.length ? `, ${wrong.length} wrong, e.g. ${wrong[0]!.status} ${wrong[0]!.answer}` : ""}; POST /trigger_report ${trigger.status}${trigger.retryAfter ? " + Retry-After" : ""}; ready ${readyWhileFull}`,
        ok: refused.length > 0 && wrong.length === 0 && (trigger.status === 202 || (trigger.status === 503 && !!trigger.retryAfter)),
      },
      {
        check: "the log says what is full; PostgreSQL, dead of it, is never given up on",
        figure: `${saidFull ? "'the database is out of disk space' logged" : "no disk-full line"}; WAL made to grow: ${wal.switches} segment switches, then ${wal.ended.slice(0, 60)}; PostgreSQL ${
          died ? `died, failed ${failedStarts} start(s) while full, ${restarted ?? "never restarted"}` : "kept running"
        }`,
        ok: saidFull && (!died || !!restarted) && !/stopping the web server and workers/.test(app.output),
      },
      {
        check: `serving again within ${seconds(BACK_WITHIN_MS)} of space returning, untouched`,
        figure: `ready in ${ready ? seconds(ready - freedAt) : "never"}, a poll push 200 in ${
          firstServed ? seconds(firstServed.at + firstServed.ms - freedAt) : "never"
        }`,
        ok: !!ready && ready - freedAt < BACK_WITHIN_MS && !!firstServed && firstServed.at + firstServed.ms - freedAt < BACK_WITHIN_MS,
      },
      {
        check: "web server and workers stayed up",
        figure: childRestarts
          ? `the launcher restarted processes ${childRestarts} time(s): ${app.output.match(/"msg":"[^"]* restarting in [^"]*"/g)?.at(-1)}`
          : "no process died",
        ok: childRestarts === 0,
      },
      {
        check: "nothing acknowledged is lost",
        figure: `${acknowledged.length} polls answered 200, ${found.lost.length} missing`,
        ok: acknowledged.length > 0 && found.lost.length === 0,
      },
      {
        check: "amcheck: every B-tree index and table sound",
        figure: `${found.indexes} indexes (bt_index_check with heapallindexed): ${found.indexProblems[0] ?? "no problem"}; ${found.heap.tables} tables (verify_heapam): ${found.heap.problems} problems; pg_wal ${found.walMb.toFixed(0)} MB`,
        ok: found.indexProblems.length === 0 && found.heap.problems === 0,
      },
    );
  } finally {
    await app.stop();
    const error = await unmount();
    if (error !== null) checks.push({ check: "unmount the tmpfs", figure: error, ok: false });
  }
  return checks;
}
