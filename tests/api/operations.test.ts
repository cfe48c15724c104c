// Operating it, over real HTTP with a real worker: a request's id in its answer, its error body, the web log line
// and every worker log line of the report it triggered; no secret in any log line; /metrics as Prometheus text
// whose report counters move when a report runs, for admins and metrics keys only, or on METRICS_PORT.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
// @ts-expect-error: the parser ships no types
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort, startApp, type RunningApp } from "../../scripts/app-processes";
import { setUpTestDatabase } from "../database";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { generateFeeds } from "../../lib/sample-data/generate";

const databaseUrl = await setUpTestDatabase();
const ADMIN_TOKEN = "ops-admin-token-0123456789abcdef";
const KEYS = { reports: "ops-reports-key-0123456789", metrics: "ops-metrics-key-0123456789", ingest: "ops-ingest-key-0123456789" };
let app: RunningApp;
let metricsPort: number;
let logs = "";

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-ops-"));
  await generateFeeds({ stores: 30, days: 8, seed: 3 }, dir);
  await loadFeeds(feedSourcesInDirectory(dir));
  metricsPort = await freePort();
  app = await startApp(databaseUrl, {
    env: {
      ADMIN_TOKEN,
      API_KEYS: `reports:${KEYS.reports},metrics:${KEYS.metrics},ingest:${KEYS.ingest}`,
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: "info",
    },
  });
  for (const child of [app.web, ...app.workers])
    for (const stream of [child.stdout!, child.stderr!]) stream.on("data", (chunk: Buffer) => (logs += chunk.toString()));
});
afterAll(() => app?.stop());

const lines = () =>
  logs
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function complete(reportId: string, headers: Record<string, string>) {
  for (let i = 0; i < 300; i++) {
    const body = await (await fetch(`${app.baseUrl}/get_report?report_id=${reportId}`, { headers })).json();
    if (body.status === "Complete") return;
    await sleep(100);
  }
  throw new Error(`report ${reportId} did not complete`);
}

it("a report triggered with X-Request-Id: the id comes back, and is on the web's line and every worker line of that report", async () => {
  const headers = { Authorization: `Bearer ${KEYS.reports}` };
  const triggered = await fetch(`${app.baseUrl}/trigger_report`, { method: "POST", headers: { ...headers, "X-Request-Id": "abc-123" } });
  expect(triggered.headers.get("x-request-id")).toBe("abc-123");
  const { report_id: reportId } = await triggered.json();
  await complete(reportId, headers);
  await sleep(500); // the last lines on their way through the pipes
  const web = lines().find((l) => l.role === "web" && l.msg === "request" && l.route === "/trigger_report");
  expect(web).toMatchObject({ requestId: "abc-123", method: "POST", status: 202, level: "info" });
  expect(web!.ms).toEqual(expect.any(Number));
  const ofReport = lines().filter((l) => l.role === "worker" && l.reportId === reportId);
  expect(ofReport.map((l) => l.msg)).toEqual(
    expect.arrayContaining(["report run started", "report shards queued", "report shard computed", "report complete"]),
  );
  expect(ofReport.every((l) => l.requestId === "abc-123")).toBe(true);
});

it("an error body names the request id; a malformed id is replaced by a new one", async () => {
  const bad = await fetch(`${app.baseUrl}/get_report?report_id=nope`, {
    headers: { Authorization: `Bearer ${KEYS.reports}`, "X-Request-Id": "err-42" },
  });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error.requestId).toBe("err-42");
  const forged = await fetch(`${app.baseUrl}/api/health`, { headers: { "X-Request-Id": 'x" injected=1' } });
  expect(forged.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
});

it("no log line carries the admin token or a key, though they were sent in headers, bodies and a sign-in link", async () => {
  await fetch(`${app.baseUrl}/admin/login?token=${ADMIN_TOKEN}`, { redirect: "manual" });
  await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: "wrong-token-0123456789-abcdef" }) });
  await fetch(`${app.baseUrl}/api/polls`, {
    method: "POST",
    headers: { Authorization: `Bearer ${KEYS.ingest}`, "Content-Type": "application/json" },
    body: "[]",
  });
  await fetch(`${app.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${KEYS.metrics}` } });
  await sleep(500);
  expect(logs).toContain("/admin/login?token=[redacted]");
  for (const secret of [ADMIN_TOKEN, ...Object.values(KEYS)]) expect(logs).not.toContain(secret);
});

it("/metrics parses as Prometheus text, its report counters move when a report runs, and it is for admins and metrics keys", async () => {
  const scrape = async () => {
    const response = await fetch(`${app.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${KEYS.metrics}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusTextFormat(await response.text()) as {
      name: string;
      metrics: { value?: string; labels?: Record<string, string> }[];
    }[];
  };
  const completed = (families: Awaited<ReturnType<typeof scrape>>) =>
    Number(
      families.find((f) => f.name === "storemon_report_runs_total")?.metrics.find((m) => m.labels?.outcome === "complete")?.value ?? 0,
    );
  // The first test's report, once the worker has published it (every 10 s): the count to start from.
  let before = 0;
  for (let i = 0; i < 30 && before === 0; i++) {
    before = completed(await scrape());
    if (before === 0) await sleep(1000);
  }
  expect(before).toBe(1);
  const headers = { Authorization: `Bearer ${KEYS.reports}` };
  const { report_id: reportId } = await (await fetch(`${app.baseUrl}/trigger_report`, { method: "POST", headers })).json();
  await complete(reportId, headers);
  // Workers publish every 10 s.
  let after = before;
  for (let i = 0; i < 30 && after === before; i++) {
    await sleep(1000);
    after = completed(await scrape());
  }
  expect(after).toBe(before + 1);
  const families = await scrape();
  const names = families.map((f) => f.name);
  for (const name of [
    "storemon_http_request_duration_seconds",
    "storemon_queue_jobs",
    "storemon_reports",
    "storemon_db_pool_connections",
    "storemon_process_resident_memory_bytes",
    "storemon_report_duration_seconds",
  ])
    expect(names).toContain(name);
  expect(families.find((f) => f.name === "storemon_processes")?.metrics[0]?.value).toBe("2"); // the web server and the worker

  expect((await fetch(`${app.baseUrl}/metrics`)).status).toBe(401);
  expect((await fetch(`${app.baseUrl}/metrics`, { headers })).status).toBe(403);
  const onItsPort = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(onItsPort.status).toBe(200);
  expect(await onItsPort.text()).toContain("storemon_reports{");
}, 90_000);
