// Control characters in requests, against the built production server: a NUL (or another C0 control character,
// or DEL) in any string the app takes, a path's, a query's, a JSON body's at any depth or a form's, and a JSON
// string that is not well-formed Unicode (a lone surrogate), is a 400 naming the parameter or field. Before, a NUL
// reached PostgreSQL, which cannot store one in text, and the request answered 500 with an error-level log line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { generateFeeds } from "../../lib/sample-data/generate";
import { startApp, type RunningApp } from "../../scripts/app-processes";
import { setUpTestDatabase } from "../database";

const databaseUrl = await setUpTestDatabase();
const ADMIN_TOKEN = "ctrl-admin-token-0123456789abcdef";
const REPORTS_KEY = "ctrl-reports-key-0123456789abcdef";
const INGEST_KEY = "ctrl-ingest-key-0123456789abcdef";
let app: RunningApp;
let logs = "";
let admin: Record<string, string>;
const POLLS = "store_id,status,timestamp_utc\nS1,active,2024-10-14 10:00:00 UTC\n";
const reports = { Authorization: `Bearer ${REPORTS_KEY}` };
let reportId: string;
let storeId: string;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-ctrl-"));
  await generateFeeds({ stores: 3, days: 8, seed: 7 }, dir);
  await loadFeeds(feedSourcesInDirectory(dir));
  storeId = (await pool().query("SELECT min(store_id) AS id FROM polls")).rows[0].id;
  app = await startApp(databaseUrl, {
    workers: 0,
    env: { ADMIN_TOKEN, API_KEYS: `reports:${REPORTS_KEY},ingest:${INGEST_KEY}`, LOG_LEVEL: "info" },
  });
  for (const stream of [app.web.stdout!, app.web.stderr!]) stream.on("data", (chunk: Buffer) => (logs += chunk.toString()));
  const signIn = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
  expect(signIn.status).toBe(204);
  admin = { Cookie: signIn.headers.get("set-cookie")!.split(";")[0]!, Origin: app.baseUrl, "Content-Type": "application/json" };
  // A queued report (no worker runs it): its rows query runs, over no rows.
  reportId = (await (await fetch(`${app.baseUrl}/trigger_report`, { method: "POST", headers: reports })).json()).report_id;
});
afterAll(() => app?.stop());

interface Refusal {
  status: number;
  code: string;
  message: string;
  /** The web server's log lines written while the request was served: JSON lines' levels, other lines as they are. */
  logged: string[];
}

/** Sends a request and reads its answer and what the web server logged for it (up to its access log line). */
async function send(url: string, init: RequestInit = {}): Promise<Refusal> {
  const from = logs.length;
  const response = await fetch(`${app.baseUrl}${url}`, { redirect: "manual", ...init });
  const body = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  const id = response.headers.get("x-request-id")!;
  for (let i = 0; i < 100 && !logs.slice(from).includes(`"requestId":"${id}","method"`); i++) await sleep(20);
  const logged = logs
    .slice(from)
    .split("\n")
    .filter(Boolean)
    .map((line) => (line.startsWith("{") ? String((JSON.parse(line) as { level: string }).level) : line));
  return { status: response.status, code: body.error?.code ?? "", message: body.error?.message ?? "", logged };
}

/** A 400 (or `status`) with `code` whose message names `name`, and nothing logged above info (no error line, no stack). */
function expectRefused(answer: Refusal, code: string, name: string, status = 400) {
  expect({ status: answer.status, code: answer.code }).toEqual({ status, code });
  expect(answer.message).toContain(name);
  expect(answer.logged.filter((line) => line !== "info")).toEqual([]);
}

const post = (url: string, body: unknown, headers: Record<string, string> = admin) =>
  send(url, { method: "POST", headers, body: JSON.stringify(body) });
const form = (url: string, fields: Record<string, string>) =>
  send(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: app.baseUrl },
    body: new URLSearchParams(fields).toString(),
  });

describe("a NUL is refused with a 400 naming where it was, and no error logged", () => {
  it("in a query parameter: GET /api/reports/<id>/rows?q=%00", async () => {
    expectRefused(await send(`/api/reports/${reportId}/rows?q=%00`, { headers: reports }), "invalid_parameter", "parameter q");
  });

  it("in a path parameter: GET /api/stores/<id>%00/timeline", async () => {
    expectRefused(await send(`/api/stores/${storeId}%00/timeline`, { headers: reports }), "invalid_parameter", "path id");
  });

  it("in a query parameter: GET /api/alerts?store=%00", async () => {
    expectRefused(await send("/api/alerts?store=%00", { headers: reports }), "invalid_parameter", "parameter store");
  });

  it('in a JSON field: an alert rule named "a\\u0000b"', async () => {
    const rule = { name: "a\u0000b", emailTo: ["ops@example.com"] };
    expectRefused(await post("/api/alerts/rules", rule), "invalid_body", "field name");
  });

  it('in a JSON field: an API key named "a\\u0000b"', async () => {
    expectRefused(await post("/api/keys", { name: "a\u0000b", scope: "reports" }), "invalid_body", "field name");
  });

  it("in a JSON field at depth: an alert rule's second store", async () => {
    const rule = { name: "ops", stores: [storeId, "x\u0000"], emailTo: ["ops@example.com"] };
    expectRefused(await post("/api/alerts/rules", rule), "invalid_body", "field stores.1");
  });

  it("in sign-in's JSON, without signing in: POST /api/admin/session with an e-mail holding a NUL", async () => {
    const body = { email: "x\u0000@example.com", password: "some password 123" };
    expectRefused(await post("/api/admin/session", body, { "Content-Type": "application/json" }), "invalid_body", "field email");
  });

  it("in the sign-in form's fields: POST /admin/login", async () => {
    expectRefused(await form("/admin/login", { email: "x\u0000@example.com", password: "pw" }), "invalid_body", "field email");
  });

  it("in the password form's fields: POST /account/password", async () => {
    const password = "a long password\u0000";
    expectRefused(await form("/account/password", { password, confirm: password }), "invalid_body", "field password");
  });

  it("in an upload's file name: POST /api/admin/uploads?name=%00", async () => {
    const answer = await send("/api/admin/uploads?name=polls%00.csv&kind=polls", { method: "POST", headers: admin, body: POLLS });
    expectRefused(answer, "invalid_parameter", "parameter name");
  });
});

describe("the public report API keeps its answers, and refuses control characters with a 400", () => {
  it("report_id with a NUL: its own invalid_report_id, as for any bad id", async () => {
    expectRefused(await send("/get_report?report_id=ab%00", { headers: reports }), "invalid_report_id", "report_id");
  });

  it("/get_report_file/<id> with a NUL: invalid_report_id", async () => {
    expectRefused(await send(`/get_report_file/${reportId}%00`, { headers: reports }), "invalid_report_id", "report_id");
  });

  it("format with a NUL: a 400 naming it", async () => {
    const answer = await send(`/get_report?report_id=${reportId}&format=csv%00`, { headers: reports });
    expectRefused(answer, "invalid_parameter", "parameter format");
  });

  it("as_of with a NUL in POST /trigger_report's body: its own invalid_as_of", async () => {
    expectRefused(await post("/trigger_report", { as_of: "2024-10-14\u0000" }, reports), "invalid_as_of", "as_of");
  });
});

describe("other control characters and malformed text", () => {
  it.each([
    ["a tab", "a\tb"],
    ["a newline", "a\nb"],
    ["a carriage return", "a\rb"],
    ["an escape", "a\u001bb"],
    ["a DEL", "a\u007fb"],
  ])("%s in a key's name: 400 naming the field", async (_, name) => {
    expectRefused(await post("/api/keys", { name, scope: "reports" }), "invalid_body", "field name");
  });

  it("a lone surrogate (\\ud800) in a JSON string, which a text column would take as U+FFFD: 400 naming the field", async () => {
    const answer = await send("/api/keys", { method: "POST", headers: admin, body: '{"name": "a\\ud800b", "scope": "reports"}' });
    expectRefused(answer, "invalid_body", "field name");
  });

  it("a lone surrogate in a list of an alert rule, which Prisma cannot send: 400 naming the field", async () => {
    const body = '{"name": "ops", "stores": ["x\\udc00"], "emailTo": ["ops@example.com"]}';
    expectRefused(await send("/api/alerts/rules", { method: "POST", headers: admin, body }), "invalid_body", "field stores.0");
  });

  it("a lone surrogate in a pushed poll's store id: refused as the feed refuses a bad id (422 naming item and field)", async () => {
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const body = `[{"store_id": "x\\ud800", "timestamp_utc": "${at}", "status": "active"}]`;
    const answer = await send("/api/polls", { method: "POST", headers: { Authorization: `Bearer ${INGEST_KEY}` }, body });
    expectRefused(answer, "invalid_feed", "item 0, field store_id", 422);
  });

  it.each([
    ["DELETE", "/api/keys/%ED%A0%80"],
    ["GET", "/stores/%FF"],
    ["GET", "/api/stores/%E0%A4/timeline"],
    ["GET", "/reports/%zz"],
  ])("a path with escapes that are not UTF-8, %s %s: 400 naming the path", async (method, url) => {
    expectRefused(await send(url, { method, headers: admin }), "invalid_path", `the path "${url}"`);
  });

  it("text with any other characters (accents, symbols, emoji) is taken as it is", async () => {
    const response = await fetch(`${app.baseUrl}/api/keys`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "Café – ✓ 😀", scope: "reports" }),
    });
    expect(response.status).toBe(201);
    expect((await response.json()).view.name).toBe("Café – ✓ 😀");
  });
});
