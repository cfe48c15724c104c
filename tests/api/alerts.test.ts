// Alerts end to end, over real HTTP with a real worker: polls pushed through POST /api/polls open and resolve
// incidents by the report's rules, and a local webhook receiver gets each notification once, signed.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const databaseUrl = await setUpTestDatabase();
const SECRET = "alert-secret-0123456789abcdef";
const INGEST_KEY = "alerts-ingest-key-0123456789";
const REPORTS_KEY = "alerts-reports-key-0123456789";
const ADMIN_TOKEN = "alerts-admin-token-0123456789";
let app: RunningApp;
let receiver: http.Server;
const received: { event: string; store: string; delivery: string; verified: boolean }[] = [];
/** What the Slack-compatible receiver got: its messages' text. */
const slack: string[] = [];

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    let body = "";
    request.on("data", (c) => (body += c));
    request.on("end", () => {
      if (request.url === "/slack") {
        slack.push(JSON.parse(body).text);
        return void response.writeHead(200).end("ok");
      }
      const timestamp = String(request.headers["x-storemon-timestamp"]);
      const expected = `sha256=${crypto.createHmac("sha256", SECRET).update(`${timestamp}.${body}`).digest("hex")}`;
      const parsed = JSON.parse(body);
      received.push({
        event: parsed.event,
        store: parsed.store.id,
        delivery: String(request.headers["x-storemon-delivery"]),
        verified: request.headers["x-storemon-signature"] === expected,
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  // Store "open-all-day" has no hours (open 24x7); "closed-now" is open one second a day, at midnight UTC.
  await pool().query(
    "INSERT INTO store_timezones (store_id, timezone_str) VALUES ('open-all-day', 'UTC'), ('closed-now', 'UTC'), ('silent', 'UTC')",
  );
  await pool().query("INSERT INTO business_hours SELECT 'closed-now', d, '00:00:00', '00:00:01' FROM generate_series(0, 6) d");
  app = await startApp(databaseUrl, {
    env: {
      API_KEYS: `ingest:${INGEST_KEY},reports:${REPORTS_KEY}`,
      ALERT_WEBHOOK_URL: url,
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_AFTER_MINUTES: "5",
      ALERT_NO_DATA_MINUTES: "90",
      ADMIN_TOKEN,
      ALERT_SLACK_WEBHOOK_URL: url.replace("/hook", "/slack"),
    },
  });
});
afterAll(async () => {
  await app?.stop();
  receiver?.close();
});

const push = (polls: { store_id: string; minutesAgo: number; status: string }[]) =>
  fetch(`${app.baseUrl}/api/polls`, {
    method: "POST",
    headers: { Authorization: `Bearer ${INGEST_KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify(
      polls.map((p) => ({
        store_id: p.store_id,
        status: p.status,
        timestamp_utc: new Date(Date.now() - p.minutesAgo * 60_000).toISOString(),
      })),
    ),
  });

async function until(check: () => boolean, seconds = 30) {
  for (let i = 0; i < seconds * 10 && !check(); i++) await sleep(100);
  expect(check()).toBe(true);
}

it("a store down in its business hours for the rule's time: one signed 'opened'; up again: one 'resolved'; a closed store: nothing", async () => {
  // Up 30 minutes ago, down 20 and 2 minutes ago: down since 25 minutes ago (the midpoint), past the 5 minutes.
  const down = ["open-all-day", "closed-now"].flatMap((store_id) => [
    { store_id, minutesAgo: 30, status: "active" },
    { store_id, minutesAgo: 20, status: "inactive" },
    { store_id, minutesAgo: 2, status: "inactive" },
  ]);
  expect((await push(down)).status).toBe(200);
  await until(() => received.length >= 1 && slack.length >= 1);
  expect(received).toEqual([{ event: "opened", store: "open-all-day", delivery: expect.any(String), verified: true }]);

  const { rows: open } = await pool().query("SELECT store_id, resolved_at FROM incidents");
  expect(open).toEqual([{ store_id: "open-all-day", resolved_at: null }]);
  const alerts = await (await fetch(`${app.baseUrl}/api/alerts`, { headers: { Authorization: `Bearer ${REPORTS_KEY}` } })).json();
  expect(alerts.incidents).toMatchObject([{ storeId: "open-all-day", resolvedAt: null, delivered: 2, pending: 0 }]); // the webhook and the Slack channel

  // Up again now: resolved at the midpoint between the last down poll and this one.
  expect((await push([{ store_id: "open-all-day", minutesAgo: 0, status: "active" }])).status).toBe(200);
  await until(() => received.length >= 2 && slack.length >= 2);
  expect(received[1]).toMatchObject({ event: "resolved", store: "open-all-day", verified: true });

  // Evaluated again (the minute's schedule, more polls): nothing is sent twice.
  expect((await push([{ store_id: "open-all-day", minutesAgo: -0.5, status: "active" }])).status).toBe(200);
  await sleep(3000);
  expect(received.map((r) => r.event)).toEqual(["opened", "resolved"]);
  expect(new Set(received.map((r) => r.delivery)).size).toBe(2);
  // The Slack-compatible channel got the same two, in sentences.
  expect(slack).toEqual([
    expect.stringMatching(
      /^open-all-day has been down within its business hours since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(UTC\)\.\nhttp:\/\/\S+\/stores\/open-all-day$/,
    ),
    expect.stringMatching(/^open-all-day is up again, after 24 min \(since .* \(UTC\)\)\.\nhttp:\/\/\S+\/stores\/open-all-day$/),
  ]);
});

it("a poller silent for 90 minutes while the store is open: one 'opened' no-data incident; a poll again: 'resolved'", async () => {
  const before = received.length;
  expect((await push([{ store_id: "silent", minutesAgo: 100, status: "active" }])).status).toBe(200);
  await until(() => received.length >= before + 1);
  expect(received.slice(before)).toEqual([{ event: "opened", store: "silent", delivery: expect.any(String), verified: true }]);
  const { rows } = await pool().query(
    "SELECT kind, extract(epoch FROM opened_at - started_at)::int AS waited FROM incidents WHERE store_id = 'silent'",
  );
  expect(rows).toEqual([{ kind: "no_data", waited: 90 * 60 }]);
  expect((await push([{ store_id: "silent", minutesAgo: 0, status: "active" }])).status).toBe(200);
  await until(() => received.length >= before + 2);
  expect(received[before + 1]).toMatchObject({ event: "resolved", store: "silent" });
});

it("the test button sends a signed sample to the webhook and says it was delivered", async () => {
  const signIn = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
  const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
  const before = received.length;
  const response = await fetch(`${app.baseUrl}/api/alerts/rules/default/test`, {
    method: "POST",
    headers: { Cookie: cookie, Origin: app.baseUrl },
  });
  expect(await response.json()).toEqual({
    results: [
      { channel: "webhook:default", target: expect.stringMatching(/^webhook at 127\.0\.0\.1:\d+$/), ok: true, error: null },
      { channel: "slack:default", target: expect.stringMatching(/^Slack-compatible webhook at 127\.0\.0\.1:\d+$/), ok: true, error: null },
    ],
  });
  expect(received.slice(before)).toEqual([{ event: "test", store: "sample-store", delivery: "test", verified: true }]);
  expect(
    (await fetch(`${app.baseUrl}/api/alerts/rules/default/test`, { method: "POST", headers: { Authorization: `Bearer ${REPORTS_KEY}` } }))
      .status,
  ).toBe(403);
});
