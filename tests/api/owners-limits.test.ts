// What an owner's member and their keys may cost and see, over HTTP against the production server with a worker:
// triggers counted per owner and account whatever the number of keys, reports of their own stores only, keys
// capped, rules that list their 1,000 stores, and delivery state of their own rules only (never an operator's).
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { pool } from "../../lib/db/pool";
import { csvSource } from "../../lib/feeds/read";
import { loadFeeds } from "../../lib/feeds/load";
import { setUpTestDatabase } from "../database";
import { freePort, startApp, type RunningApp } from "../../scripts/app-processes";
import { MAX_KEYS_PER_OWNER } from "../../lib/auth/api-keys";
import { memberSession } from "./people";

const ADMIN_TOKEN = "admin-token-for-the-owner-limit-tests";
const INGEST_KEY = "ingest-key-for-the-owner-limit-tests";
const databaseUrl = await setUpTestDatabase();
let app: RunningApp;
let admin: Record<string, string>;
let member: Record<string, string>;
let workerLog = "";
/** The notifications the owner's own receiver got. */
const received: string[] = [];
let receiver: http.Server;

const OWNER_A = ["a-1", "a-2", "a-3", "a-4"];
/** A store of owner A with no polls until a test pushes some. */
const QUIET = "a-quiet";
const OWNER_B = ["b-1", "b-2", "b-3"];
const UNOWNED = ["z-1", "z-2"];

const call = (headers: Record<string, string>, path: string, init: RequestInit = {}) =>
  fetch(`${app.baseUrl}${path}`, { redirect: "manual", ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
const send = (headers: Record<string, string>, method: string, path: string, body?: unknown) =>
  call(headers, path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** Polls at these minutes before now, as the ingestion API takes them. */
const polls = (storeId: string, ...minutesAgo: [number, "active" | "inactive"][]) =>
  minutesAgo.map(([m, status]) => ({ store_id: storeId, status, timestamp_utc: new Date(Date.now() - m * 60_000).toISOString() }));

beforeAll(async () => {
  // Every store up an hour ago and now, in UTC, open all day (no hours).
  const stores = [...OWNER_A, ...OWNER_B, ...UNOWNED];
  const pollsCsv = `store_id,status,timestamp_utc\n${stores.flatMap((s) => [`${s},active,${new Date(Date.now() - 3_600_000).toISOString()}`, `${s},active,${new Date(Date.now() - 600_000).toISOString()}`]).join("\n")}\n`;
  const directory = `store_id,name,owner\n${[...OWNER_A, QUIET].map((s) => `${s},A ${s},owner-a`).join("\n")}\n${OWNER_B.map((s) => `${s},B ${s},owner-b`).join("\n")}\n`;
  await loadFeeds([
    csvSource("store_status.csv", "polls", () => Readable.from([pollsCsv])),
    csvSource("stores.csv", "stores", () => Readable.from([directory])),
  ]);

  receiver = http.createServer((request, response) => {
    let body = "";
    request.on("data", (c) => (body += c));
    request.on("end", () => {
      received.push(JSON.parse(body).event);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  app = await startApp(databaseUrl, {
    env: {
      ADMIN_TOKEN,
      API_KEYS: `ingest:${INGEST_KEY}`,
      TRIGGER_LIMIT_PER_MINUTE: "5",
      SMTP_URL: "smtp://127.0.0.1:9", // e-mail rules are refused without one; nothing is sent to it here
      // The operator's webhook, at an address where nothing listens: every delivery to it fails.
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${await freePort()}/operator-hook`,
      ALERT_AFTER_MINUTES: "5",
      // The owner's receiver is on loopback too.
      ALERT_ALLOW_PRIVATE_TARGETS: "on",
    },
  });
  for (const worker of app.workers)
    for (const stream of [worker.stdout!, worker.stderr!]) stream.on("data", (c: Buffer) => (workerLog += c));
  const signedIn = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
  admin = { Cookie: signedIn.headers.get("set-cookie")!.split(";")[0]!, Origin: app.baseUrl };
  member = { Cookie: await memberSession(app.baseUrl, admin, "ana@a.example", "owner-a"), Origin: app.baseUrl };
});
afterAll(async () => {
  await app?.stop();
  receiver?.close();
});
beforeEach(async () => {
  await pool().query("TRUNCATE rate_limits");
});

async function memberKey(name: string): Promise<Response> {
  return send(member, "POST", "/api/keys", { name, scope: "reports", owner: "owner-a" });
}

async function untilComplete(headers: Record<string, string>, id: string) {
  for (let i = 0; i < 300; i++) {
    const body = await (await call(headers, `/get_report?report_id=${id}`)).json();
    if (body.status === "Complete") return;
    await sleep(100);
  }
  throw new Error(`report ${id} did not complete`);
}

describe("reports an owner's callers trigger", () => {
  let reportOfKey = "";

  it("four keys of one owner and its member's session together trigger no more than the owner's limit", async () => {
    const keys: string[] = [];
    for (let i = 0; i < 4; i++) {
      const made = await memberKey(`key ${i}`);
      expect(made.status, await made.clone().text()).toBe(201);
      keys.push((await made.json()).key);
    }
    // In turns, as fast as they are answered: 25 triggers from five credentials of one owner.
    const callers = [...keys.map(bearer), member];
    const answers: Response[] = [];
    for (let round = 0; round < 5; round++) for (const headers of callers) answers.push(await send(headers, "POST", "/trigger_report"));
    const statuses = answers.map((a) => a.status);
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.slice(5)).toEqual(Array(20).fill(429));
    const refused = answers.find((a) => a.status === 429)!;
    expect((await refused.json()).error.code).toBe("too_many_reports");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    reportOfKey = (await answers.find((a) => a.status === 202)!.json()).report_id;
  });

  it("a report triggered by an owner's key computes that owner's stores only", async () => {
    await untilComplete(admin, reportOfKey);
    const { rows } = await pool().query("SELECT store_id FROM report_rows WHERE report_id = $1 ORDER BY 1", [reportOfKey]);
    expect(rows.map((r) => r.store_id)).toEqual(OWNER_A);
    expect(await (await call(admin, `/api/reports/${reportOfKey}`)).json()).toMatchObject({ storesTotal: 4, totals: { stores: 4 } });
  });

  it("another owner's caller is told no such report exists; an unscoped trigger still computes every store", async () => {
    const made = await send(admin, "POST", "/api/keys", { name: "owner b's", scope: "reports", owner: "owner-b" });
    const keyB = bearer((await made.json()).key);
    for (const path of [`/api/reports/${reportOfKey}`, `/get_report?report_id=${reportOfKey}`, `/get_report_file/${reportOfKey}`])
      expect((await call(keyB, path)).status, path).toBe(404);
    const list = await (await call(keyB, "/api/reports")).json();
    expect(list.reports.map((r: { id: string }) => r.id)).not.toContain(reportOfKey);

    const fleet = (await (await send(admin, "POST", "/trigger_report")).json()).report_id;
    await untilComplete(admin, fleet);
    const { rows } = await pool().query("SELECT count(*)::int AS n FROM report_rows WHERE report_id = $1", [fleet]);
    expect(rows[0].n).toBe(OWNER_A.length + OWNER_B.length + UNOWNED.length);
  });

  it(`an owner has at most ${MAX_KEYS_PER_OWNER} unrevoked keys`, async () => {
    const { rows } = await pool().query(
      "SELECT count(*)::int AS n FROM api_keys k JOIN owners o ON o.id = k.owner_id WHERE o.slug = 'owner-a' AND k.revoked_at IS NULL",
    );
    expect(rows[0].n).toBe(4);
    // Keys made at once cannot pass the cap together.
    const answers = await Promise.all(Array.from({ length: MAX_KEYS_PER_OWNER }, (_, i) => memberKey(`more ${i}`)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(MAX_KEYS_PER_OWNER - 4);
    const refused = answers.find((a) => a.status === 409)!;
    expect((await refused.json()).error).toMatchObject({
      code: "too_many_keys",
      message: expect.stringContaining(`at most ${MAX_KEYS_PER_OWNER} keys`),
    });
  });
});

describe("alerts a member manages", () => {
  it("a rule listing 1,000 stores by UUID is taken", async () => {
    const stores = Array.from({ length: 1000 }, () => crypto.randomUUID());
    const made = await send(member, "POST", "/api/alerts/rules", { name: "many stores", stores, emailTo: ["ops@a.example"] });
    expect(made.status, await made.clone().text()).toBe(201);
    const view = await made.json();
    expect(view.stores).toHaveLength(1000);
    expect((await send(member, "DELETE", `/api/alerts/rules/${view.id}`)).status).toBe(204);
  });

  it("a member sees the delivery state of their own rules, never the operator's failing webhook; the worker warns of the failure", async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/owner-hook`;
    const rule = await send(member, "POST", "/api/alerts/rules", { name: "owner a's", webhookUrl: url, afterMinutes: 5 });
    expect(rule.status, await rule.clone().text()).toBe(201);
    const ruleId = (await rule.json()).id;
    // Up 30 minutes ago, down 20 and 2 minutes ago: down since 25 minutes ago, past the rule's 5.
    const pushed = await send({ ...bearer(INGEST_KEY), "Content-Type": "application/json" }, "POST", "/api/polls", [
      ...polls(QUIET, [30, "active"], [20, "inactive"], [2, "inactive"]),
    ]);
    expect(pushed.status).toBe(200);
    for (let i = 0; i < 300 && !(received.includes("opened") && /alert delivery failed/.test(workerLog)); i++) await sleep(100);
    expect(received).toContain("opened");

    const asMember = (await (await call(member, `/api/alerts?store=${QUIET}`)).json()).incidents;
    expect(asMember).toMatchObject([{ storeId: QUIET, delivered: 1, pending: 0, lastError: null }]);
    const asAdmin = (await (await call(admin, `/api/alerts?store=${QUIET}`)).json()).incidents;
    expect(asAdmin).toMatchObject([{ storeId: QUIET, delivered: 1, pending: 1, lastError: expect.stringContaining("ECONNREFUSED") }]);

    const warning = workerLog
      .split("\n")
      .filter((line) => line.includes("alert delivery failed"))
      .map((line) => JSON.parse(line))[0];
    expect(warning).toMatchObject({ level: "warn", rule: "default", channel: "webhook:default", attempt: 1 });
    expect(warning.msg).toMatch(/^alert delivery failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(warning)).not.toContain("operator-hook"); // the host only, never the address
    // The owner's rule's delivery is the one the member sees.
    const { rows } = await pool().query(
      "SELECT channel, delivered_at IS NOT NULL AS delivered FROM alert_deliveries ORDER BY delivered_at NULLS FIRST",
    );
    expect(rows).toEqual([
      { channel: "webhook:default", delivered: false },
      { channel: `webhook:${ruleId}`, delivered: true },
    ]);
  });
});
