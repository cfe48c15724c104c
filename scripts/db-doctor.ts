// npm run db:doctor: the PostgreSQL settings that matter for this workload (bulk COPY of polls, a report's many
// short index probes, many connections from web servers and workers), what each is, and what it would be set to
// on this machine, with the ALTER SYSTEM statements that would do it. It changes nothing.
import os from "node:os";
import { pool } from "../lib/db/pool";
import { env } from "../lib/env";
import { runCommand } from "./cli";

interface Setting {
  name: string;
  /** What it would be, in the setting's own unit, given the machine; null: leave it. */
  advise: (current: Row) => string | null;
  why: string;
}
type Row = { name: string; setting: string; unit: string | null; value: string };

const ramMb = Math.round(os.totalmem() / 2 ** 20);
const cores = os.cpus().length;
const mb = (r: Row) => {
  const n = Number(r.setting);
  const unit = r.unit ?? "";
  const scale: Record<string, number> = { "8kB": 8 / 1024, kB: 1 / 1024, MB: 1, GB: 1024 };
  return n * (scale[unit] ?? 1);
};
const size = (megabytes: number) => (megabytes >= 1024 ? `${Math.round(megabytes / 1024)}GB` : `${Math.round(megabytes)}MB`);
const atLeast = (current: number, wanted: number, text: string) => (current >= wanted ? null : text);

/** Connections the app may open: per web server and per worker, its pool (10), stream pool and queue client (4 each). */
const PER_PROCESS = 10 + env().STREAM_CONNECTIONS + 4;

const SETTINGS: Setting[] = [
  {
    name: "shared_buffers",
    advise: (r) => atLeast(mb(r), Math.min(ramMb / 4, 8192) * 0.9, size(Math.min(ramMb / 4, 8192))),
    why: "a quarter of memory (at most 8GB): a week of polls and their index stay cached",
  },
  {
    name: "effective_cache_size",
    advise: (r) => atLeast(mb(r), ramMb * 0.6 * 0.9, size(ramMb * 0.6)),
    why: "what the OS caches too: the planner then prefers the index probes a report makes",
  },
  { name: "work_mem", advise: (r) => atLeast(mb(r), 16, "16MB"), why: "sorts and hashes of the load's deduplication and the report list" },
  {
    name: "maintenance_work_mem",
    advise: (r) => atLeast(mb(r), Math.min(1024, ramMb / 16) * 0.9, size(Math.min(1024, ramMb / 16))),
    why: "index builds after a bulk load of polls",
  },
  {
    name: "max_wal_size",
    advise: (r) => atLeast(mb(r), 1024, "1GB"),
    why: "a load of millions of polls without a checkpoint every few seconds (1GB keeps WAL on disk bounded; 4GB loads a little faster)",
  },
  { name: "checkpoint_completion_target", advise: (r) => atLeast(Number(r.setting), 0.9, "0.9"), why: "spreads checkpoint writes" },
  {
    name: "random_page_cost",
    advise: (r) => (Number(r.setting) > 1.5 ? "1.1" : null),
    why: "on SSDs: a report reads each store's week through the primary key",
  },
  { name: "effective_io_concurrency", advise: (r) => atLeast(Number(r.setting), 100, "200"), why: "on SSDs: bitmap scans prefetch" },
  {
    name: "jit",
    advise: (r) => (r.setting === "on" ? "off" : null),
    why: "the app's queries are many and short; compiling them costs more than it saves",
  },
  {
    name: "max_connections",
    advise: (r) => atLeast(Number(r.setting), PER_PROCESS * (1 + env().WORKERS) + 10, String(PER_PROCESS * (1 + env().WORKERS) + 20)),
    why: `each web server and worker may open ${PER_PROCESS} (its pool 10, downloads ${env().STREAM_CONNECTIONS}, the queue 4); here 1 web server and ${env().WORKERS} workers, plus room for psql and a second web server's start`,
  },
  { name: "max_parallel_workers_per_gather", advise: () => null, why: "left: reports are parallel already (shards on every worker)" },
  {
    name: "synchronous_commit",
    advise: () => null,
    why: "left on: an acknowledged upload or poll is on disk (off would lose the last moments' writes in a crash)",
  },
  {
    name: "autovacuum_vacuum_scale_factor",
    advise: (r) => (Number(r.setting) > 0.05 ? "0.05" : null),
    why: "report_rows and the queue's jobs churn: vacuum them sooner",
  },
  {
    name: "idle_in_transaction_session_timeout",
    advise: () => null,
    why: "set per connection by the app (web 60 s; a report's run its job expiry)",
  },
  {
    name: "statement_timeout",
    advise: () => null,
    why: "set per connection by the app (web requests DB_WEB_TIMEOUT_MS/2; workers DB_WORKER_TIMEOUT_MS)",
  },
];

await runCommand(async () => {
  const { rows } = await pool().query<Row>(
    "SELECT name, setting, unit, current_setting(name) AS value FROM pg_settings WHERE name = ANY($1)",
    [SETTINGS.map((s) => s.name)],
  );
  const { rows: version } = await pool().query<{ v: string }>("SELECT current_setting('server_version') AS v");
  const { rows: tables } = await pool().query<{ table: string; rows: number; size: string }>(
    // A partitioned table (polls, by month) has no rows or size of its own: its partitions' are summed.
    `SELECT c.relname AS table, sum(greatest(p.reltuples, 0))::bigint AS rows, pg_size_pretty(sum(pg_total_relation_size(t.relid))) AS size
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     CROSS JOIN LATERAL pg_partition_tree(c.oid) t JOIN pg_class p ON p.oid = t.relid
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname IN ('polls', 'report_rows', 'business_hours', 'store_timezones', 'incidents')
     GROUP BY c.relname ORDER BY sum(pg_total_relation_size(t.relid)) DESC`,
  );
  console.log(
    `PostgreSQL ${version[0]!.v}; this machine: ${cores} cores, ${size(ramMb)} of memory (advice assumes the database has the machine to itself; halve the memory figures if the app shares it).\n`,
  );
  console.log("Tables:", tables.map((t) => `${t.table} ~${Number(t.rows).toLocaleString("en")} rows, ${t.size}`).join("; "), "\n");
  const advice: string[] = [];
  for (const s of SETTINGS) {
    const row = rows.find((r) => r.name === s.name);
    if (!row) continue;
    const wanted = s.advise(row);
    console.log(`${wanted ? "CHANGE" : "ok    "} ${s.name} = ${row.value}${wanted ? ` -> ${wanted}` : ""}\n       ${s.why}`);
    if (wanted) advice.push(`ALTER SYSTEM SET ${s.name} = '${wanted}';`);
  }
  console.log(
    advice.length
      ? `\nNothing was changed. To apply (as a superuser; shared_buffers and max_connections need a restart, the rest SELECT pg_reload_conf()):\n${advice.join("\n")}`
      : "\nNothing to change.",
  );
});
