// The public report API over real HTTP: `next start` on its own database, with a worker process.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { newReportId } from "../../lib/reports/create";
import { generateFeeds } from "../../lib/sample-data/generate";
import { REPORT_HEADER } from "../../lib/uptime";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const databaseUrl = await setUpTestDatabase();
let app: RunningApp;
const STORES = 60;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-api-"));
  await generateFeeds({ stores: STORES, days: 9, seed: 3 }, dir);
  await loadFeeds(feedSourcesInDirectory(dir));
  app = await startApp(databaseUrl);
});
afterAll(() => app?.stop());

const api = (pathAndQuery: string, init?: RequestInit) => fetch(`${app.baseUrl}${pathAndQuery}`, init);
const trigger = async (body?: string) => {
  const response = await api("/trigger_report", { method: "POST", body, headers: body ? { "Content-Type": "application/json" } : {} });
  expect(response.status).toBe(202);
  return ((await response.json()) as { report_id: string }).report_id;
};
async function untilComplete(id: string) {
  for (let i = 0; i < 300; i++) {
    const body = await (await api(`/get_report?report_id=${id}`)).json();
    if (body.status !== "Running") return body;
    expect(body.progress).toBeGreaterThanOrEqual(0);
    expect(body.progress).toBeLessThanOrEqual(1);
    await sleep(100);
  }
  throw new Error(`report ${id} did not finish`);
}
/**
 * A report row put straight into the table, to hold a report in a state on purpose. Created "in an hour",
 * so that the worker's sweep (which re-queues reports nobody computes) leaves it alone meanwhile.
 */
async function reportIn(status: "Queued" | "Running" | "Failed", error: string | null = null) {
  const id = newReportId();
  await pool().query(
    "INSERT INTO reports (id, status, as_of, as_of_source, error, created_at) VALUES ($1, $2, now(), 'request', $3, now() + interval '1 hour')",
    [id, status, error],
  );
  return id;
}

describe("POST /trigger_report", () => {
  it("answers 202 with a random, URL-safe id of at least 96 bits, and the report completes in the background", async () => {
    const id = await trigger();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await trigger()).not.toBe(id);
    expect(await untilComplete(id)).toEqual({ status: "Complete", download_url: `/get_report_file/${id}` });
  });

  it('takes {"as_of": ISO 8601}', async () => {
    const id = await trigger(JSON.stringify({ as_of: "2024-10-10T12:00:00Z" }));
    await untilComplete(id);
    const { rows } = await pool().query("SELECT as_of_source, as_of = '2024-10-10T12:00:00Z' AS same FROM reports WHERE id = $1", [id]);
    expect(rows[0]).toEqual({ as_of_source: "request", same: true });
  });

  it.each([
    ["not JSON", "{as_of:", "invalid_body"],
    ["as_of not a string", JSON.stringify({ as_of: 5 }), "invalid_body"],
    ["as_of not an instant", JSON.stringify({ as_of: "last tuesday" }), "invalid_as_of"],
  ])("answers 400 for a body that is %s", async (_name, body, code) => {
    const response = await api("/trigger_report", { method: "POST", body, headers: { "Content-Type": "application/json" } });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe(code);
  });
});

describe("GET /get_report", () => {
  it("answers Running with progress while queued or running", async () => {
    const id = await reportIn("Queued");
    const response = await api(`/get_report?report_id=${id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "Running", progress: 0 });
    await pool().query("UPDATE reports SET status = 'Running', stores_total = 4, stores_done = 1 WHERE id = $1", [id]);
    expect(await (await api(`/get_report?report_id=${id}`)).json()).toEqual({ status: "Running", progress: 0.25 });
  });

  it("answers Failed with the error", async () => {
    const id = await reportIn("Failed", "store s1: bad zone");
    const response = await api(`/get_report?report_id=${id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "Failed", error: "store s1: bad zone" });
  });

  it("answers with the CSV itself for Accept: text/csv or ?format=csv once complete, 202 Running before", async () => {
    const id = await trigger();
    await untilComplete(id);
    const file = await (await api(`/get_report_file/${id}`)).text();
    for (const response of [
      await api(`/get_report?report_id=${id}`, { headers: { Accept: "text/csv" } }),
      await api(`/get_report?report_id=${id}&format=csv`),
    ]) {
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
      expect(await response.text()).toBe(file);
    }
    const queued = await reportIn("Running");
    const running = await api(`/get_report?report_id=${queued}`, { headers: { Accept: "text/csv" } });
    expect(running.status).toBe(202);
    expect(await running.json()).toEqual({ status: "Running" });
  });

  it.each([
    ["missing", "/get_report", 400, "missing_report_id"],
    ["malformed", "/get_report?report_id=../../etc", 400, "invalid_report_id"],
    ["unknown", "/get_report?report_id=AAAAAAAAAAAAAAAAAAAAAA", 404, "report_not_found"],
  ])("answers %s ids with %s and the error shape", async (_name, url, status, code) => {
    const response = await api(url);
    expect(response.status).toBe(status);
    const body = await response.json();
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe("string");
  });
});

describe("GET /get_report_file/<id>", () => {
  it("streams the CSV as an attachment: the exact header and one row per polled store, in store order", async () => {
    const id = await trigger();
    await untilComplete(id);
    const response = await api(`/get_report_file/${id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="report-${id}.csv"`);
    const lines = (await response.text()).trimEnd().split("\n");
    expect(lines[0]).toBe(
      "store_id,uptime_last_hour(in minutes),uptime_last_day(in hours),uptime_last_week(in hours),downtime_last_hour(in minutes),downtime_last_day(in hours),downtime_last_week(in hours)",
    );
    expect(lines[0]).toBe(REPORT_HEADER.join(","));
    expect(lines).toHaveLength(STORES + 1);
    const ids = lines.slice(1).map((l) => l.split(",")[0]!);
    expect([...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))).toEqual(ids);
    for (const line of lines.slice(1)) expect(line).toMatch(/^[^,]+(,\d+\.\d\d){6}$/);
  });

  it("answers 409 while the report is not complete, 404 for an unknown id, 400 for a malformed one", async () => {
    expect((await api(`/get_report_file/${await reportIn("Queued")}`)).status).toBe(409);
    expect((await api("/get_report_file/AAAAAAAAAAAAAAAAAAAAAB")).status).toBe(404);
    expect((await api("/get_report_file/nope")).status).toBe(400);
  });
});

describe("npm run report", () => {
  it("writes the byte-identical CSV the API serves for the same as-of", async () => {
    const asOf = "2024-10-13T18:30:00.250000Z";
    const id = await trigger(JSON.stringify({ as_of: asOf }));
    await untilComplete(id);
    const fromApi = await (await api(`/get_report_file/${id}`)).text();
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "storemon-cli-")), "report.csv");
    await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/report.ts", "--as-of", asOf, "--out", out], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    expect(fs.readFileSync(out, "utf8")).toBe(fromApi);
  });
});
