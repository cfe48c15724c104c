// A muted store on a real database: its incidents open and resolve exactly as an unmuted twin's, while every
// notification of them is recorded as skipped (with who muted and until when) and none reaches the receiver.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setUpTestDatabase } from "../../tests/database";
import { ALL_STORES } from "../auth/scope";
import { pool } from "../db/pool";
import { prisma } from "../db/prisma";
import { stopQueue } from "../jobs/queue";
import { deliver } from "./deliver";
import { evaluateStores } from "./evaluate";
import { muteStore, unmuteStore } from "./mutes";
import { createRule } from "./rules";

await setUpTestDatabase();
delete process.env.ALERT_WEBHOOK_URL;
process.env.ALERT_ALLOW_PRIVATE_TARGETS = "on"; // the receiver below listens on loopback

const received: string[] = [];
const receiver = http.createServer((req, res) => {
  let body = "";
  req
    .on("data", (c) => (body += c))
    .on("end", () => {
      received.push(JSON.parse(body).store.id);
      res.end("ok");
    });
});
beforeAll(() => new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve)));
afterAll(async () => {
  receiver.close();
  await stopQueue();
});

const us = (iso: string) => Date.parse(iso) * 1000;
const incidentsOf = async (storeId: string) =>
  (await pool().query("SELECT kind, started_at, opened_at, resolved_at FROM incidents WHERE store_id = $1 ORDER BY id", [storeId])).rows;
const deliveriesOf = async (storeId: string) =>
  (
    await pool().query(
      `SELECT d.id::int, d.event, d.delivered_at IS NOT NULL AS delivered, d.skipped_reason AS skipped, d.attempts
       FROM alert_deliveries d JOIN incidents i ON i.id = d.incident_id WHERE i.store_id = $1 ORDER BY d.id`,
      [storeId],
    )
  ).rows;
const deliverAll = async () => {
  for (const { id } of (await pool().query("SELECT id::int FROM alert_deliveries ORDER BY id")).rows) await deliver(id);
};

describe("a muted store", () => {
  it("opens and resolves its incidents as an unmuted one does, while its notifications are skipped and recorded", async () => {
    // Two stores with the same hours, zone and polls: "muted" and "twin". Open 09:00-17:00 UTC every day.
    for (const storeId of ["muted", "twin"]) {
      await prisma().store.create({ data: { storeId, name: storeId } });
      await pool().query("INSERT INTO store_timezones VALUES ($1, 'UTC')", [storeId]);
      await pool().query("INSERT INTO business_hours SELECT $1, d, '09:00:00', '17:00:00' FROM generate_series(0, 6) d", [storeId]);
      for (const [at, status] of [
        ["09:00", "active"],
        ["09:20", "inactive"],
        ["10:00", "inactive"],
        ["10:40", "active"],
      ] as const)
        await pool().query("INSERT INTO polls VALUES ($1, $2, $3)", [storeId, `2023-01-02T${at}:00Z`, status]);
    }
    const { port } = receiver.address() as AddressInfo;
    await createRule(ALL_STORES, "test", {
      name: "every store",
      kind: "incidents",
      stores: [],
      emailTo: [],
      afterMinutes: 15,
      webhookUrl: `http://127.0.0.1:${port}/hook`,
    });
    const mute = await muteStore(ALL_STORES, "ana@example.com", "muted", { for: "1h" });
    expect(mute).toMatchObject({ storeId: "muted", by: "ana@example.com" });

    expect(await evaluateStores(["muted", "twin"], us("2023-01-02T10:05:00Z"))).toMatchObject({ opened: 2 });
    await deliverAll();
    expect(await evaluateStores(["muted", "twin"], us("2023-01-02T10:45:00Z"))).toMatchObject({ resolved: 2 });
    await deliverAll();

    // The incidents: the same, opened and resolved at the same instants.
    const muted = await incidentsOf("muted");
    expect(muted).toHaveLength(1);
    expect(muted[0].resolved_at).not.toBeNull();
    expect(muted).toEqual(await incidentsOf("twin"));
    // The notifications: both recorded for each; the twin's sent, the muted store's skipped with the reason.
    expect(received).toEqual(["twin", "twin"]);
    const reason = expect.stringMatching(/^muted by ana@example\.com until \w{3} \d+ \w{3} \d\d:\d\d UTC$/);
    expect(await deliveriesOf("muted")).toEqual([
      { id: expect.any(Number), event: "opened", delivered: false, skipped: reason, attempts: 0 },
      { id: expect.any(Number), event: "resolved", delivered: false, skipped: reason, attempts: 0 },
    ]);
    expect((await deliveriesOf("twin")).map((d) => [d.event, d.delivered, d.skipped])).toEqual([
      ["opened", true, null],
      ["resolved", true, null],
    ]);

    // A skipped notification stays skipped (a retried job sends nothing); once unmuted, the next ones go out.
    await unmuteStore(ALL_STORES, "muted");
    await deliverAll();
    expect(received).toEqual(["twin", "twin"]);
    await pool().query(
      "INSERT INTO polls VALUES ('muted', '2023-01-02T11:00:00Z', 'inactive'), ('muted', '2023-01-02T11:40:00Z', 'inactive')",
    );
    expect(await evaluateStores(["muted"], us("2023-01-02T11:45:00Z"))).toMatchObject({ opened: 1 });
    await deliverAll();
    expect(received).toEqual(["twin", "twin", "muted"]);
  });

  it("ends by itself: a mute whose end has passed skips nothing", async () => {
    await pool().query("UPDATE store_mutes SET muted_at = now() - interval '2 hours', muted_until = now() - interval '1 minute'");
    await pool().query(
      "INSERT INTO store_mutes VALUES ('twin', 'bo@example.com', now() - interval '2 hours', now() - interval '1 minute')",
    );
    await pool().query(
      "INSERT INTO polls VALUES ('twin', '2023-01-02T11:00:00Z', 'inactive'), ('twin', '2023-01-02T11:40:00Z', 'inactive')",
    );
    expect(await evaluateStores(["twin"], us("2023-01-02T11:45:00Z"))).toMatchObject({ opened: 1 });
    await deliverAll();
    expect(received).toEqual(["twin", "twin", "muted", "twin"]);
  });
});
