// Alert rules end to end, over real HTTP with real workers and real receivers: a local SMTP server (smtp-server)
// gets a scheduled daily report whose link opens the owner's CSV without signing in, and an incident's e-mail;
// a webhook receiver whose first request is held open sees its worker killed mid-delivery, and gets the
// notification again under the same delivery id, signed, and nothing after it has answered.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { simpleParser } from "mailparser";
import Papa from "papaparse";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sendEvaluation } from "../../lib/alerts/evaluate-soon";
import { pool } from "../../lib/db/pool";
import { csvSource } from "../../lib/feeds/read";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { stopQueue } from "../../lib/jobs/queue";
import { generateFeeds } from "../../lib/sample-data/generate";
import { setUpTestDatabase } from "../database";
import { freePort, startApp, startWorker, type RunningApp } from "../../scripts/app-processes";

const databaseUrl = await setUpTestDatabase();
const ADMIN_TOKEN = "rules-admin-token-0123456789";
const INGEST_KEY = "rules-ingest-key-0123456789";
const SECRET = "rules-webhook-secret-0123456789";
let app: RunningApp;
let smtp: SMTPServer;
let receiver: http.Server;
let admin: Record<string, string>;
let appEnv: Record<string, string>;
const mails: { to: string; subject: string; text: string }[] = [];
/** Every request the webhook receiver got. */
const hooks: { delivery: string; event: string; store: string; verified: boolean }[] = [];
/** The receiver holds its first request open (no answer) until this is called. */
let releaseFirst: (() => void) | undefined;
const ownerAStores: string[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(","), subject: mail.subject ?? "", text: mail.text ?? "" });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  receiver = http.createServer((request, response) => {
    let body = "";
    request.on("data", (c) => (body += c));
    request.on("end", () => {
      const timestamp = String(request.headers["x-storemon-timestamp"]);
      const expected = `sha256=${crypto.createHmac("sha256", SECRET).update(`${timestamp}.${body}`).digest("hex")}`;
      const parsed = JSON.parse(body);
      hooks.push({
        delivery: String(request.headers["x-storemon-delivery"]),
        event: parsed.event,
        store: parsed.store?.id,
        verified: request.headers["x-storemon-signature"] === expected,
      });
      if (hooks.length === 1) releaseFirst = () => response.headersSent || response.writeHead(204).end();
      else response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-rules-"));
  await generateFeeds({ stores: 6, days: 8, seed: 11 }, dir);
  await loadFeeds(feedSourcesInDirectory(dir));
  const all = (await pool().query("SELECT DISTINCT store_id FROM polls ORDER BY 1")).rows.map((r) => r.store_id);
  ownerAStores.push(...all.slice(0, 3));
  await loadFeeds([
    csvSource("stores.csv", "stores", () =>
      Readable.from([`store_id,name,owner\n${ownerAStores.map((s) => `${s},A ${s},owner-a`).join("\n")}\n`]),
    ),
  ]);
  // A store open all week (no hours given) in UTC, for incidents now.
  await pool().query("INSERT INTO store_timezones VALUES ('kill-store', 'UTC')");

  const port = await freePort();
  // The receivers here are on this machine: allowed, as an operator whose receivers live inside would.
  appEnv = {
    ALERT_ALLOW_PRIVATE_TARGETS: "on",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ADMIN_TOKEN,
    API_KEYS: `ingest:${INGEST_KEY}`,
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    SMTP_FROM: "Store Monitor <alerts@example.com>",
  };
  app = await startApp(databaseUrl, { port, env: appEnv });
  const signIn = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
  admin = { Cookie: signIn.headers.get("set-cookie")!.split(";")[0]!, Origin: app.baseUrl, "Content-Type": "application/json" };
});
afterAll(async () => {
  releaseFirst?.();
  await stopQueue();
  await app?.stop();
  receiver?.close();
  await new Promise<void>((resolve) => smtp?.close(resolve));
});

async function until(check: () => boolean, seconds: number) {
  for (let i = 0; i < seconds * 10 && !check(); i++) await sleep(100);
  expect(check()).toBe(true);
}

const addRule = async (rule: object) => {
  const response = await fetch(`${app.baseUrl}/api/alerts/rules`, { method: "POST", headers: admin, body: JSON.stringify(rule) });
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json();
};

it("a daily report rule: at its time, an e-mail with the owner's figures and a link that downloads the owner's CSV without signing in", async () => {
  const rule = await addRule({
    name: "Daily for A",
    kind: "report",
    owner: "owner-a",
    emailTo: ["boss@a.example"],
    schedule: { every: "day", at: "07:00", timeZone: "Europe/Berlin" },
  });
  expect(rule.nextReportAt).toMatch(/T0[56]:00:00.000Z$/); // 07:00 in Berlin
  // Made yesterday: today's 07:00 (Berlin) is past and not yet served. The minute's round sends it.
  await pool().query("UPDATE alert_rules SET last_run_for = last_run_for - interval '1 day' WHERE id = $1", [rule.id]);
  await sendEvaluation();
  await until(() => mails.length === 1, 60);
  const [mail] = mails;
  expect(mail).toMatchObject({ to: "boss@a.example", subject: "Store report: Daily for A" });
  expect(mail!.text).toContain(`${ownerAStores.length} stores; uptime within business hours: last hour`);
  const link = /Download the CSV \(works for 7 days\): (\S+)/.exec(mail!.text)![1]!;
  const csv = await fetch(link); // no credentials: the link is signed
  expect(csv.status).toBe(200);
  expect(
    Papa.parse<string[]>((await csv.text()).trim())
      .data.slice(1)
      .map((r) => r[0]),
  ).toEqual(ownerAStores);
  // Served once: the next rounds send nothing until tomorrow's 07:00.
  await sendEvaluation();
  await sleep(3000);
  expect(mails).toHaveLength(1);
});

it("a worker killed while a receiver holds the request: the notification is sent again under the same delivery id, once", async () => {
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  await addRule({ name: "Ops", stores: ["kill-store"], afterMinutes: 5, webhookUrl: url, webhookSecret: SECRET });
  await addRule({ name: "Ops by mail", stores: ["kill-store"], afterMinutes: 5, emailTo: ["ops@example.com"] });
  const push = (polls: { minutesAgo: number; status: string }[]) =>
    fetch(`${app.baseUrl}/api/polls`, {
      method: "POST",
      headers: { Authorization: `Bearer ${INGEST_KEY}`, "Content-Type": "application/json" },
      body: JSON.stringify(
        polls.map((p) => ({
          store_id: "kill-store",
          status: p.status,
          timestamp_utc: new Date(Date.now() - p.minutesAgo * 60_000).toISOString(),
        })),
      ),
    });
  expect(
    (
      await push([
        { minutesAgo: 30, status: "active" },
        { minutesAgo: 20, status: "inactive" },
        { minutesAgo: 2, status: "inactive" },
      ])
    ).status,
  ).toBe(200);
  await until(() => hooks.length === 1 && mails.some((m) => m.to === "ops@example.com"), 30);
  expect(mails.find((m) => m.to === "ops@example.com")).toMatchObject({ subject: "Down: kill-store" });
  // The receiver has the request and has not answered: the worker dies now.
  app.workers[0]!.kill("SIGKILL");
  app.workers[0] = startWorker(databaseUrl, appEnv);
  releaseFirst!();
  // Once its job expires, another worker sends it again: same delivery, signed again.
  await until(() => hooks.length === 2, 90);
  expect(hooks).toEqual([hooks[0], { ...hooks[0] }]);
  expect(hooks[0]).toMatchObject({ event: "opened", store: "kill-store", verified: true });
  const delivered = async () =>
    (await pool().query("SELECT event FROM alert_deliveries WHERE channel LIKE 'webhook:%' AND delivered_at IS NOT NULL")).rows;
  for (let i = 0; i < 50 && (await delivered()).length === 0; i++) await sleep(100);
  expect(await delivered()).toEqual([{ event: "opened" }]);
  // Up again: one "resolved", to each; the answered "opened" is never sent again.
  expect((await push([{ minutesAgo: 0, status: "active" }])).status).toBe(200);
  await until(() => hooks.length === 3, 30);
  await sleep(2000);
  expect(hooks.map((h) => h.event)).toEqual(["opened", "opened", "resolved"]);
  expect(new Set(hooks.map((h) => h.delivery)).size).toBe(2);
  expect(mails.filter((m) => m.to === "ops@example.com").map((m) => m.subject)).toEqual(["Down: kill-store", "Resolved: kill-store"]);
}, 150_000);
