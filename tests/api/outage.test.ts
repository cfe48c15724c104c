// The app over real HTTP while its PostgreSQL goes away: stopped (fast shutdown) and frozen (SIGSTOP of every
// server process). Every endpoint answers 503 database_unavailable within 5 s, liveness stays up, and when the
// database is back the app serves again and completes reports with no restart. The server is one of this file's
// own, so that it can be stopped: an embedded PostgreSQL on EMBEDDED_PG_PORT + 3.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedServer } from "../../lib/db/embedded";
import { closePool } from "../../lib/db/pool";
import { freshDatabase } from "../../lib/db/prepare";
import { createQueues } from "../../lib/jobs/queue";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { generateFeeds } from "../../lib/sample-data/generate";
import { startApp, type RunningApp } from "../../scripts/app-processes";
import { descendants } from "../../scripts/process-tree";

const DIR = ".data/outage-postgres";
const PORT = Number(process.env.EMBEDDED_PG_PORT ?? 54329) + 3;
let server: EmbeddedServer;
let app: RunningApp;
let databaseUrl: string;
const INGEST_KEY = "outage-ingest-key-0123456789";

const startServer = async () => (server = await startEmbeddedPostgres(DIR, PORT));
/** The postmaster and every backend: freezing them all is a server that accepts connections and never answers. */
const serverPids = () => [server.pid!, ...descendants(server.pid!).map((d) => d.pid)];
const signalServer = (signal: NodeJS.Signals) => serverPids().forEach((pid) => process.kill(pid, signal));

beforeAll(async () => {
  if (process.env.DATABASE_URL) return; // this file needs a server of its own to stop
  await startServer();
  databaseUrl = await freshDatabase(server.adminUrl, "storemon_outage", createQueues);
  process.env.DATABASE_URL = databaseUrl;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-outage-"));
  await generateFeeds({ stores: 120, days: 8, seed: 11 }, dir);
  await loadFeeds(feedSourcesInDirectory(dir));
  await closePool();
  delete process.env.DATABASE_URL;
  app = await startApp(databaseUrl, { env: { REPORT_SWEEP_SECONDS: "1" } });
});
afterAll(async () => {
  if (!server) return;
  try {
    signalServer("SIGCONT");
  } catch {}
  await app?.stop();
  await server.stop();
});

const api = (pathAndQuery: string, init?: RequestInit) =>
  fetch(`${app.baseUrl}${pathAndQuery}`, { ...init, signal: init?.signal ?? AbortSignal.timeout(15_000) });
async function trigger(): Promise<string> {
  const response = await api("/trigger_report", { method: "POST" });
  expect(response.status).toBe(202);
  return ((await response.json()) as { report_id: string }).report_id;
}
async function settled(id: string, timeoutMs = 30_000): Promise<{ status: string; error?: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await api(`/get_report?report_id=${id}`);
    const body = response.status === 200 ? await response.json() : null;
    if (body && body.status !== "Running") return body;
    if (Date.now() > deadline) {
      const [report, jobs] = await Promise.all([
        query("SELECT status, attempts, started_at, error FROM reports WHERE id = $1", [id]),
        query("SELECT name, state, started_on FROM pgboss.job WHERE data->>'reportId' = $1", [id]),
      ]);
      throw new Error(`report ${id} still ${JSON.stringify(body)} after ${timeoutMs} ms: ${JSON.stringify({ report, jobs })}`);
    }
    await sleep(200);
  }
}
/** A query on a connection of its own (this process has no pool on this database). */
async function query(sql: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}
/**
 * Pushes `count` polls of store `store` (one a minute, back from `from`) to `server`, as a poller does, with an
 * ingest key (which needs no database to check); times its answer.
 */
async function pushPolls(server: RunningApp, store: string, from: number, count = 50) {
  const polls = Array.from({ length: count }, (_, i) => ({
    store_id: store,
    timestamp_utc: new Date(from - i * 60_000).toISOString(),
    status: "active",
  }));
  const started = performance.now();
  const response = await fetch(`${server.baseUrl}/api/polls`, {
    method: "POST",
    body: JSON.stringify(polls),
    headers: { Authorization: `Bearer ${INGEST_KEY}`, "Content-Type": "application/json" },
    signal: AbortSignal.timeout(10_000),
  }).catch((e: Error) => e);
  const ms = performance.now() - started;
  if (response instanceof Error) return { status: 0, retryAfter: null, code: `no answer (${response.name})`, ms, body: null };
  const body = await response.json().catch(() => null);
  return { status: response.status, retryAfter: response.headers.get("retry-after"), code: body?.error?.code, ms, body };
}
const reportCount = async () => (await query("SELECT count(*)::int AS n FROM reports"))[0].n as number;

/** Every endpoint, as a client calls it, with a report id that exists. */
const endpoints = (id: string): [string, RequestInit?][] => [
  ["/api/health/ready"],
  ["/api/health"],
  [`/get_report?report_id=${id}`],
  [`/get_report?report_id=${id}&format=csv`],
  [`/get_report_file/${id}`],
  ["/trigger_report", { method: "POST" }],
  ["/api/reports"],
  [`/api/reports/${id}`],
  [`/api/reports/${id}/rows`],
  ["/api/stores/s1/timeline"],
];

async function expectUnavailable(id: string) {
  const answers = await Promise.all(
    endpoints(id).map(async ([url, init]) => {
      const started = performance.now();
      const response = await api(url, init);
      const body = await response.json().catch(() => null);
      return {
        url,
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        code: body?.error?.code,
        ms: performance.now() - started,
      };
    }),
  );
  for (const answer of answers) expect(answer, answer.url).toMatchObject({ status: 503, code: "database_unavailable", retryAfter: "5" });
  expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(5000);
  const live = await api("/api/health/live");
  expect(live.status).toBe(200);
}

async function untilReady(timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (
    (await api("/api/health/ready").then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (Date.now() > deadline) throw new Error("the app did not become ready again");
    await sleep(200);
  }
}

describe.skipIf(!!process.env.DATABASE_URL)("while the database is away", () => {
  it("stopped: every endpoint answers 503 within 5 s; once it is back the app serves and reports complete, with no restart", async () => {
    const before = await trigger();
    expect(await settled(before)).toMatchObject({ status: "Complete" });
    const interrupted = await trigger();
    await server.stop(); // fast shutdown: every connection is ended
    await expectUnavailable(before);

    await startServer();
    await untilReady();
    // The run that was under way lost its database: it ends Complete (re-run by the sweep) or Failed, saying why.
    const outcome = await settled(interrupted);
    if (outcome.status === "Failed") expect(outcome.error).toMatch(/database/);
    else expect(outcome.status).toBe("Complete");
    expect(await settled(await trigger())).toMatchObject({ status: "Complete" });
  });

  it("frozen (SIGSTOP): every endpoint answers 503 within 5 s; after SIGCONT it serves again", async () => {
    const id = await trigger();
    expect(await settled(id)).toMatchObject({ status: "Complete" });
    signalServer("SIGSTOP");
    try {
      await expectUnavailable(id);
    } finally {
      signalServer("SIGCONT");
    }
    await untilReady();
    expect(await settled(await trigger())).toMatchObject({ status: "Complete" });
  });

  it("frozen for 15 s: POST /api/polls answers 503 with Retry-After within 5 s, and takes polls again after SIGCONT", async () => {
    await untilReady();
    // A web server with an ingest key (keys leave open mode, which the other tests use), no workers.
    const ingest = await startApp(databaseUrl, { workers: 0, env: { API_KEYS: `ingest:${INGEST_KEY}` } });
    try {
      // Pollers that were just served leave the loader's stream connections pooled (idle for up to 10 s):
      // the freeze finds them there, as it finds a running app's.
      const now = Date.now();
      const warm = await Promise.all([1, 2, 3].map((i) => pushPolls(ingest, `poller-${i}`, now)));
      expect(warm.map((w) => w.status)).toEqual([200, 200, 200]);
      signalServer("SIGSTOP");
      const frozenAt = Date.now();
      const answers: Awaited<ReturnType<typeof pushPolls>>[] = [];
      try {
        // Rounds of three pollers at once while it lasts, each new round after the last one's answers.
        for (let round = 1; Date.now() - frozenAt < 10_000; round++)
          answers.push(...(await Promise.all([1, 2, 3].map((i) => pushPolls(ingest, `poller-${i}`, now - round * 3_600_000)))));
        await sleep(Math.max(0, frozenAt + 15_000 - Date.now()));
      } finally {
        signalServer("SIGCONT");
      }
      expect(answers.length).toBeGreaterThanOrEqual(6);
      for (const answer of answers)
        expect({ ...answer, ms: answer.ms < 5000 }).toMatchObject({ status: 503, code: "database_unavailable", retryAfter: "5", ms: true });
      await untilReady();
      expect(await pushPolls(ingest, "poller-1", now - 3_600_000 * 24)).toMatchObject({ status: 200, body: { read: 50, added: 50 } });
    } finally {
      await ingest.stop();
    }
  });

  it("a trigger whose client gave up while the database was frozen records no report", async () => {
    await untilReady();
    const count = await reportCount();
    signalServer("SIGSTOP");
    const gaveUp = api("/trigger_report", { method: "POST", signal: AbortSignal.timeout(300) }).catch((e: Error) => e.name);
    await sleep(1000);
    signalServer("SIGCONT");
    expect(await gaveUp).toBe("TimeoutError");
    await sleep(3000);
    expect(await reportCount()).toBe(count);
  });
});
