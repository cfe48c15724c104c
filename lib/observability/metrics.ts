import crypto from "node:crypto";
import os from "node:os";
import client from "prom-client";

// Prometheus metrics (prom-client). Each process counts what it does in its own registry: the web server its
// requests and feed loads, the workers their report runs and take-overs; every process its memory, CPU, event
// loop and database pools. Each publishes its registry to PostgreSQL every few seconds (lib/observability/
// publish.ts), and GET /metrics answers the sum over every live process, with the queue's and the reports'
// state read from the database at that moment: one scrape target for the whole installation.

type Labels<T extends string> = Partial<Record<T, string | number>>;
const state = globalThis as unknown as { storemonMetrics?: ReturnType<typeof make> };

function make() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "storemon_" });
  const histogram = <T extends string>(name: string, help: string, labelNames: T[], buckets: number[]) =>
    new client.Histogram<T>({ name, help, labelNames, buckets, registers: [registry] });
  const counter = <T extends string>(name: string, help: string, labelNames: T[]) =>
    new client.Counter<T>({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    httpSeconds: histogram(
      "storemon_http_request_duration_seconds",
      "Seconds from a request's arrival to the end of its answer, by method, route and status.",
      ["method", "route", "status"],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ),
    reportRuns: counter(
      "storemon_report_runs_total",
      "Report runs that ended, by outcome (complete, failed, interrupted: the database was lost and the sweep runs the report again).",
      ["outcome"],
    ),
    reportSeconds: histogram(
      "storemon_report_duration_seconds",
      "Seconds from a report run's start to its completion.",
      [],
      [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300],
    ),
    shardsTakenOver: counter(
      "storemon_report_shards_taken_over_total",
      "Shards a report's run computed itself because no worker finished them in time.",
      [],
    ),
    feedRows: counter(
      "storemon_feed_rows_total",
      "Feed rows by feed and outcome: added, duplicate (already there), refused (a refused file's problems).",
      ["feed", "outcome"],
    ),
    feedFiles: counter("storemon_feed_files_total", "Feed files and poll pushes by feed and outcome (loaded, refused).", [
      "feed",
      "outcome",
    ]),
    alertEvaluationSeconds: histogram(
      "storemon_alert_evaluation_seconds",
      "Seconds an incident evaluation took.",
      [],
      [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15],
    ),
    alertDeliveries: counter(
      "storemon_alert_deliveries_total",
      "Notifications sent, by channel kind and outcome (delivered, failed, skipped: the store was muted).",
      ["kind", "outcome"],
    ),
  };
}

/** This process's metrics. */
export function metrics(): ReturnType<typeof make> {
  state.storemonMetrics ??= make();
  return state.storemonMetrics;
}

/** Counts the outcome of a feed's load: its rows added and duplicate, or its problems when it was refused. */
export function countFeed(feed: string, outcome: "loaded" | "refused", rows: Labels<"added" | "duplicate" | "refused">): void {
  const m = metrics();
  m.feedFiles.inc({ feed, outcome });
  for (const [what, n] of Object.entries(rows)) if (Number(n) > 0) m.feedRows.inc({ feed, outcome: what }, Number(n));
}

/** The name this process publishes its metrics under: its role, host and pid, and a random part (pids repeat across containers). */
export function processName(role: string): string {
  return `${role}@${os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
}
