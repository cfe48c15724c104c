import client from "prom-client";
import { REPORT_STATUSES } from "../api/views/reports";
import { pool, streamPool } from "../db/pool";
import { errorMessage, log } from "../log";
import { metrics, processName } from "./metrics";

// Publishing each process's metrics to PostgreSQL, and answering GET /metrics with their sum (see metrics.ts).

/** Seconds between publications, and after which a process that has not published counts as gone. */
const PUBLISH_SECONDS = 10;
const ALIVE_SECONDS = 60;
const QUEUE_SCHEMA = "pgboss";

type Published = Awaited<ReturnType<client.Registry["getMetricsAsJSON"]>>;
const state = globalThis as unknown as { storemonPublishing?: { name: string; timer: NodeJS.Timeout } };

/** Starts publishing this process's metrics under `role` (web, worker); returns a function that stops it. */
export function publishMetrics(role: string): () => Promise<void> {
  const name = processName(role);
  const m = metrics();
  m.registry.setDefaultLabels({ role });
  new client.Gauge({
    name: "storemon_db_pool_connections",
    help: "Database connections of the process's pools, by pool (ordinary, stream) and state (total, idle, waiting: requests waiting for one).",
    labelNames: ["pool", "state"],
    registers: [m.registry],
    collect() {
      for (const [label, p] of [
        ["ordinary", pool()],
        ["stream", streamPool()],
      ] as const) {
        this.set({ pool: label, state: "total" }, p.totalCount);
        this.set({ pool: label, state: "idle" }, p.idleCount);
        this.set({ pool: label, state: "waiting" }, p.waitingCount);
      }
    },
  });
  const publish = async () => {
    const json = await m.registry.getMetricsAsJSON();
    await pool().query(
      `INSERT INTO process_metrics (process, role, updated_at, metrics) VALUES ($1, $2, now(), $3)
       ON CONFLICT (process) DO UPDATE SET updated_at = now(), metrics = excluded.metrics`,
      [name, role, JSON.stringify(json)],
    );
    await pool().query("DELETE FROM process_metrics WHERE updated_at < now() - interval '1 day'");
  };
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    inFlight = publish().catch((e) => log().debug({ err: errorMessage(e) }, "metrics not published"));
  };
  const timer = setInterval(tick, PUBLISH_SECONDS * 1000);
  timer.unref();
  state.storemonPublishing = { name, timer };
  tick();
  // On the way out its row goes (else it ages out within a minute); a database that does not answer is not waited for.
  return async () => {
    stopped = true;
    clearInterval(timer);
    // A publication under way would otherwise land after the row's removal.
    const gone = inFlight.then(() => pool().query("DELETE FROM process_metrics WHERE process = $1", [name])).catch(() => {});
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  };
}

/**
 * The Prometheus text of the whole installation: the sum over every process that published within a minute (this
 * one as it is now), by role, and the state of the queue, the reports and the notifications at this moment.
 */
export async function metricsText(): Promise<string> {
  const own = state.storemonPublishing?.name ?? "";
  const { rows } = await pool().query<{ metrics: Published }>(
    `SELECT metrics FROM process_metrics WHERE updated_at > now() - make_interval(secs => $1) AND process <> $2`,
    [ALIVE_SECONDS, own],
  );
  const mine = state.storemonPublishing ? [await metrics().registry.getMetricsAsJSON()] : [];
  const summed = client.AggregatorRegistry.aggregate([...mine, ...rows.map((r) => r.metrics)]);
  return `${await summed.metrics()}\n${await stateNow(rows.length + mine.length)}`;
}

/** Gauges read from the database now: jobs waiting and running by queue, the oldest waiting, reports by status. */
async function stateNow(processes: number): Promise<string> {
  const registry = new client.Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new client.Gauge({ name, help, labelNames, registers: [registry] });
  const [jobs, oldest, reports, waiting] = await Promise.all([
    pool().query<{ name: string; state: string; n: number }>(
      `SELECT name, state::text, count(*)::int AS n FROM ${QUEUE_SCHEMA}.job WHERE state IN ('created', 'retry', 'active') GROUP BY 1, 2`,
    ),
    pool().query<{ name: string; seconds: number }>(
      `SELECT name, extract(epoch FROM now() - min(created_on))::float8 AS seconds FROM ${QUEUE_SCHEMA}.job
       WHERE state IN ('created', 'retry') AND start_after <= now() GROUP BY 1`,
    ),
    pool().query<{ status: string; n: number }>("SELECT status::text, count(*)::int AS n FROM reports GROUP BY 1"),
    pool().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM alert_deliveries WHERE delivered_at IS NULL AND skipped_reason IS NULL AND created_at > now() - interval '1 day'",
    ),
  ]);
  const queued = gauge(
    "storemon_queue_jobs",
    "Jobs by queue and state (created: waiting, retry: waiting to be tried again, active: running).",
    ["queue", "state"],
  );
  for (const r of jobs.rows) queued.set({ queue: r.name, state: r.state }, r.n);
  const age = gauge("storemon_queue_oldest_waiting_seconds", "Seconds the oldest job ready to run has waited, by queue.", ["queue"]);
  for (const r of oldest.rows) age.set({ queue: r.name }, r.seconds);
  const byStatus = gauge("storemon_reports", "Reports kept, by status.", ["status"]);
  for (const status of REPORT_STATUSES) byStatus.set({ status }, reports.rows.find((r) => r.status === status)?.n ?? 0);
  gauge("storemon_alert_deliveries_waiting", "Notifications of the last day not delivered yet (waiting, being retried, or failed).").set(
    waiting.rows[0]!.n,
  );
  gauge("storemon_processes", "Processes that published their metrics within the last minute.").set(processes);
  return registry.metrics();
}

/** GET /metrics's answer. */
export async function metricsResponse(): Promise<Response> {
  return new Response(await metricsText(), { headers: { "Content-Type": client.register.contentType, "Cache-Control": "no-store" } });
}
