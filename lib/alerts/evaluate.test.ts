// Incident bookkeeping on a real database, at chosen instants: what opens, what stays open, what resolves.
import { beforeEach, describe, expect, it } from "vitest";
import { setUpTestDatabase } from "../../tests/database";
import { pool } from "../db/pool";
import { evaluateStores } from "./evaluate";
import { prisma } from "../db/prisma";
import { createRule } from "./rules";
import { ALL_STORES } from "../auth/scope";
import { stopQueue } from "../jobs/queue";

await setUpTestDatabase();
delete process.env.ALERT_WEBHOOK_URL; // no channel: incidents only
process.env.SMTP_URL = "smtp://127.0.0.1:9"; // e-mail rules are refused without one; nothing is sent here
const us = (iso: string) => Date.parse(iso) * 1000;
// 2023-01-02 is a Monday; the store is open 09:00-17:00 UTC every day.
beforeEach(async () => {
  await pool().query("TRUNCATE polls, business_hours, store_timezones, incidents, alert_rules, owners, stores CASCADE");
  await pool().query("INSERT INTO store_timezones VALUES ('s', 'UTC')");
  await pool().query("INSERT INTO business_hours SELECT 's', d, '09:00:00', '17:00:00' FROM generate_series(0, 6) d");
});
const poll = (iso: string, status: "active" | "inactive") => pool().query("INSERT INTO polls VALUES ('s', $1, $2)", [iso, status]);
const incidents = async () =>
  (await pool().query("SELECT kind, started_at::text AS started, resolved_at::text AS resolved FROM incidents ORDER BY id")).rows;

describe("evaluation", () => {
  it("a silent poller: one no-data incident, kept open over the night, resolved by the next poll", async () => {
    await poll("2023-01-02T10:00:00Z", "active");
    expect(await evaluateStores(["s"], us("2023-01-02T12:00:00Z"))).toMatchObject({ opened: 1 });
    await evaluateStores(["s"], us("2023-01-02T18:00:00Z")); // closed
    await evaluateStores(["s"], us("2023-01-03T10:00:00Z")); // open again, still silent
    expect(await incidents()).toEqual([{ kind: "no_data", started: "2023-01-02 10:00:00+00", resolved: null }]);
    await poll("2023-01-03T10:05:00Z", "active");
    expect(await evaluateStores(["s"], us("2023-01-03T10:10:00Z"))).toMatchObject({ opened: 0, resolved: 1 });
    expect(await incidents()).toEqual([{ kind: "no_data", started: "2023-01-02 10:00:00+00", resolved: "2023-01-03 10:05:00+00" }]);
  });

  it("down, up and down again between two evaluations: the first incident resolves, a second opens", async () => {
    await poll("2023-01-02T09:00:00Z", "active");
    await poll("2023-01-02T10:00:00Z", "inactive");
    expect(await evaluateStores(["s"], us("2023-01-02T10:10:00Z"))).toMatchObject({ opened: 1 });
    await evaluateStores(["s"], us("2023-01-02T10:20:00Z")); // still down: nothing new
    await poll("2023-01-02T11:00:00Z", "active");
    await poll("2023-01-02T12:00:00Z", "inactive");
    expect(await evaluateStores(["s"], us("2023-01-02T12:10:00Z"))).toMatchObject({ opened: 1, resolved: 1 });
    expect(await incidents()).toEqual([
      { kind: "down", started: "2023-01-02 09:30:00+00", resolved: "2023-01-02 10:30:00+00" },
      { kind: "down", started: "2023-01-02 11:30:00+00", resolved: null },
    ]);
  });

  it("closing time resolves a down incident; the next opening opens another", async () => {
    await poll("2023-01-02T15:00:00Z", "active");
    await poll("2023-01-02T16:00:00Z", "inactive");
    await evaluateStores(["s"], us("2023-01-02T16:30:00Z"));
    await evaluateStores(["s"], us("2023-01-02T18:00:00Z"));
    await evaluateStores(["s"], us("2023-01-03T09:20:00Z"));
    expect(await incidents()).toEqual([
      { kind: "down", started: "2023-01-02 15:30:00+00", resolved: "2023-01-02 17:00:00+00" },
      { kind: "down", started: "2023-01-03 09:00:00+00", resolved: null },
      // And no poll since 16:00 yesterday, in business hours again: the poller is silent too.
      { kind: "no_data", started: "2023-01-02 16:00:00+00", resolved: null },
    ]);
  });

  it("each rule hears of the stores it covers once their incident reaches its own time, and of the end if it heard of the start", async () => {
    const [a] = await Promise.all([
      prisma().owner.create({ data: { slug: "a", name: "A" } }),
      prisma().owner.create({ data: { slug: "b", name: "B" } }),
    ]);
    await prisma().store.create({ data: { storeId: "s", ownerId: a.id } });
    const rule = (name: string, input: object) =>
      createRule(ALL_STORES, "test", { name, kind: "incidents", stores: [], emailTo: [], afterMinutes: 15, ...input });
    const r30 = await rule("a's, 30 min", { owner: "a", afterMinutes: 30, webhookUrl: "http://127.0.0.1:9/a" });
    const r5b = await rule("b's, 5 min", { owner: "b", afterMinutes: 5, webhookUrl: "http://127.0.0.1:9/b" });
    const r60 = await rule("listed, 60 min", { stores: ["s", "t"], afterMinutes: 60, slackUrl: "http://127.0.0.1:9/c" });
    const told = async () =>
      (await pool().query("SELECT event, channel FROM alert_deliveries ORDER BY id")).rows.map((d) => `${d.event} ${d.channel}`);
    // Down from 09:10 (between the polls of 09:00 and 09:20) to 10:45 (between those of 10:30 and 11:00).
    for (const [at, status] of [
      ["09:00", "active"],
      ["09:20", "inactive"],
      ["10:00", "inactive"],
      ["10:30", "inactive"],
      ["11:00", "active"],
    ] as const)
      await poll(`2023-01-02T${at}:00Z`, status);
    expect(await evaluateStores(["s"], us("2023-01-02T09:27:00Z"))).toMatchObject({ opened: 1 }); // the default 15 minutes: open, nobody told
    expect(await told()).toEqual([]);
    await evaluateStores(["s"], us("2023-01-02T09:45:00Z"));
    expect(await told()).toEqual([`opened webhook:${r30.id}`]);
    await evaluateStores(["s"], us("2023-01-02T10:15:00Z"));
    await evaluateStores(["s"], us("2023-01-02T10:16:00Z")); // again: nothing twice
    expect(await told()).toEqual([`opened webhook:${r30.id}`, `opened slack:${r60.id}`]);
    expect(await evaluateStores(["s"], us("2023-01-02T11:05:00Z"))).toMatchObject({ resolved: 1 });
    expect(await told()).toEqual([
      `opened webhook:${r30.id}`,
      `opened slack:${r60.id}`,
      `resolved webhook:${r30.id}`,
      `resolved slack:${r60.id}`,
    ]);
    expect((await told()).some((t) => t.includes(r5b.id))).toBe(false); // another owner's rule
    await stopQueue();
  });

  it("a rule quicker than the default opens its stores' incidents sooner", async () => {
    await prisma().store.create({ data: { storeId: "s" } });
    await createRule(ALL_STORES, "test", {
      name: "5 min",
      kind: "incidents",
      stores: ["s"],
      emailTo: ["ops@example.com"],
      afterMinutes: 5,
    });
    await poll("2023-01-02T09:00:00Z", "active");
    await poll("2023-01-02T09:20:00Z", "inactive"); // down since 09:10
    expect(await evaluateStores(["s"], us("2023-01-02T09:21:00Z"))).toMatchObject({ opened: 1 });
    const { rows } = await pool().query("SELECT opened_at::text FROM incidents");
    expect(rows).toEqual([{ opened_at: "2023-01-02 09:15:00+00" }]);
    await stopQueue();
  });

  it("an outage that began and ended between two evaluations is logged once, and told only if it ended within the hour", async () => {
    await prisma().store.create({ data: { storeId: "s" } });
    const r = await createRule(ALL_STORES, "test", {
      name: "all",
      kind: "incidents",
      stores: [],
      emailTo: ["ops@example.com"],
      afterMinutes: 15,
    });
    // Down from 09:10 to 09:50 (midpoints), and from 10:30 to 11:10 after it.
    for (const [at, status] of [
      ["09:00", "active"],
      ["09:20", "inactive"],
      ["09:40", "inactive"],
      ["10:00", "active"],
      ["10:20", "active"],
      ["10:40", "inactive"],
      ["11:00", "inactive"],
      ["11:20", "active"],
    ] as const)
      await poll(`2023-01-02T${at}:00Z`, status);
    expect(await evaluateStores(["s"], us("2023-01-02T11:25:00Z"))).toMatchObject({ opened: 2, resolved: 2 });
    await evaluateStores(["s"], us("2023-01-02T11:26:00Z")); // again: nothing new
    expect(await incidents()).toEqual([
      { kind: "down", started: "2023-01-02 09:10:00+00", resolved: "2023-01-02 09:50:00+00" },
      { kind: "down", started: "2023-01-02 10:30:00+00", resolved: "2023-01-02 11:10:00+00" },
    ]);
    // The first ended 95 minutes before: logged only. The second, 15 minutes before: told, opened and resolved.
    const told = (
      await pool().query(
        "SELECT i.started_at::text AS started, d.event FROM alert_deliveries d JOIN incidents i ON i.id = d.incident_id ORDER BY d.id",
      )
    ).rows;
    expect(told).toEqual([
      { started: "2023-01-02 10:30:00+00", event: "opened" },
      { started: "2023-01-02 10:30:00+00", event: "resolved" },
    ]);
    expect(r.id).toBeTruthy();
    await stopQueue();
  });

  it("a rule's time raised while its incident is open: the store still down keeps it open (no false 'up again')", async () => {
    await prisma().store.create({ data: { storeId: "s" } });
    const quick = await createRule(ALL_STORES, "test", {
      name: "5 min",
      kind: "incidents",
      stores: ["s"],
      emailTo: ["ops@example.com"],
      afterMinutes: 5,
    });
    await poll("2023-01-02T09:00:00Z", "active");
    await poll("2023-01-02T09:20:00Z", "inactive"); // down since 09:10
    expect(await evaluateStores(["s"], us("2023-01-02T09:21:00Z"))).toMatchObject({ opened: 1 });
    await prisma().alertRule.delete({ where: { id: quick.id } }); // back to the default 15 minutes
    expect(await evaluateStores(["s"], us("2023-01-02T09:22:00Z"))).toMatchObject({ opened: 0, resolved: 0 });
    expect(await incidents()).toEqual([{ kind: "down", started: "2023-01-02 09:10:00+00", resolved: null }]);
    await stopQueue();
  });
});
