// npm run bench:fleet -- [--stores N] [--days D] [--rounds R]
// The owner's home on the server: generated data (kept in bench/data/) loaded into a fresh database, then R rounds
// of the two reads behind the home page (lib/fleet: the stores now, and the periods from store_days), timed in this
// process as a web server runs them, for every store and for one owner's share of them. Prints the medians and
// the slowest, the CPU each read costs (this process and the PostgreSQL backends, from /proc: on a busy machine
// the wall-clock times include waits for a core), and the size of each answer as JSON.
import fs from "node:fs";
import { env } from "../lib/env";
import { ALL_STORES, type Scope } from "../lib/auth/scope";
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
  const { rows: backends } = await pool().query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database()");
  // CPU time of this process and of this database's backends, in ms (/proc/<pid>/stat: utime and stime, in ticks of 10 ms).
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    const ticks = backends.reduce((sum, { pid }) => {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return sum + Number(fields[11]) + Number(fields[12]);
    }, 0);
    return (user + system) / 1000 + ticks * 10;
  };
  for (const [who, scope] of scopes)
    for (const [name, read] of Object.entries(reads)) {
      const size = JSON.stringify(await read(scope)).length; // and a first run, to warm the caches
      const ms: number[] = [];
      const cpuBefore = cpuMs();
      for (let r = 0; r < rounds; r++) {
        const started = performance.now();
        await read(scope);
        ms.push(performance.now() - started);
      }
      const cpu = (cpuMs() - cpuBefore) / rounds;
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
