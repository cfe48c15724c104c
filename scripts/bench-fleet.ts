// npm run bench:fleet -- [--stores N] [--days D] [--rounds R]
// The owner's home on the server: generated data (kept in bench/data/) loaded into a fresh database, then R rounds
// of the two reads behind the home page (lib/fleet: the stores now, and the periods from store_days), timed in this
// process as a web server runs them, for every store and for one owner's share of them. Prints the medians and
// the slowest, the CPU each read costs (this process and the PostgreSQL backends, from /proc: on a busy machine
// the wall-clock times include waits for a core), and the size of each answer as JSON.
import fs from "node:fs";
import { env } from "../lib/env";
import { ALL_STORES, visibleStores, type Scope } from "../lib/auth/scope";
import { databaseServer } from "../lib/db/prepare";
import { closePool, pool } from "../lib/db/pool";
import { fleetNow } from "../lib/fleet/now";
import { fleetPeriods } from "../lib/fleet/periods";
import { generatedDatabase } from "./bench-data";
import { commandArgs, positiveInteger } from "./cli";

const { values } = commandArgs(
  { stores: { type: "string" }, days: { type: "string" }, rounds: { type: "string" } },
  "usage: npm run bench:fleet -- [--stores N] [--days D] [--rounds R]",
);
const stores = positiveInteger("stores", values.stores, 300);
const days = positiveInteger("days", values.days, 90);
const rounds = positiveInteger("rounds", values.rounds, 30);

const server = await databaseServer({ dir: env().EMBEDDED_PG_DIR, port: env().EMBEDDED_PG_PORT });
try {
  await generatedDatabase(server.adminUrl, "storemon_bench_fleet", { stores, days, actor: "bench" });
  // One owner with a tenth of the stores, as a member sees them.
  const { rows } = await pool().query<{ id: string }>("INSERT INTO owners (slug, name) VALUES ('bench', 'Bench') RETURNING id");
  await pool().query(
    "UPDATE stores SET owner_id = $1 WHERE store_id IN (SELECT store_id FROM poll_stores ORDER BY store_id LIMIT greatest(1, $2::int / 10))",
    [rows[0]!.id, stores],
  );
  await pool().query("ANALYZE");
  const scopes: [string, Scope][] = [
    ["every store", ALL_STORES],
    ["one owner", { all: false, ownerIds: [rows[0]!.id] }],
  ];
  const reads = { now: fleetNow, periods: fleetPeriods };
  // CPU time of this process, and of this database's backends (/proc/<pid>/stat: utime and stime, in 10 ms ticks), in
  // ms. The pool renews its connections, so the backends are looked up around each read, and only those there at both
  // ends count (a read takes one connection, which the pool keeps that long).
  const backendTicks = async () => {
    const { rows } = await pool().query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database()");
    const ticks = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
        ticks.set(pid, Number(fields[11]) + Number(fields[12]));
      } catch {
        // gone meanwhile
      }
    }
    return ticks;
  };
  const ownMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  for (const [who, scope] of scopes)
    for (const [name, readFor] of Object.entries(reads)) {
      const read = () => readFor((column) => visibleStores(scope, column));
      const size = JSON.stringify(await read()).length; // and a first run, to warm the caches
      const ms: number[] = [];
      let cpuMs = 0;
      for (let r = 0; r < rounds; r++) {
        const before = await backendTicks();
        const own = ownMs();
        const started = performance.now();
        await read();
        ms.push(performance.now() - started);
        cpuMs += ownMs() - own;
        for (const [pid, ticks] of await backendTicks()) cpuMs += (ticks - (before.get(pid) ?? ticks)) * 10;
      }
      const cpu = cpuMs / rounds;
      ms.sort((a, b) => a - b);
      const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(1);
      console.log(
        `${name.padEnd(8)} ${who.padEnd(12)} median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms; CPU ${cpu.toFixed(1)} ms a read; ${(size / 1024).toFixed(0)} KB of JSON`,
      );
    }
} finally {
  await closePool();
  await server.stop();
}
