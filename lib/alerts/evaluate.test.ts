// Incident bookkeeping on a real database, at chosen instants: what opens, what stays open, what resolves.
import { beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../tests/database";
import { pool } from "../db/pool";
import { evaluateStores } from "./evaluate";

await useTestDatabase();
delete process.env.ALERT_WEBHOOK_URL; // no channel: incidents only
const us = (iso: string) => Date.parse(iso) * 1000;
// 2023-01-02 is a Monday; the store is open 09:00-17:00 UTC every day.
beforeEach(async () => {
  await pool().query("TRUNCATE polls, business_hours, store_timezones, incidents CASCADE");
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
});
