import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { pool } from "../db/pool";
import { AppError } from "../errors";
import { feedTables, setUpTestDatabase } from "../../tests/database";
import { feedDir } from "../../tests/fixtures";
import { LOADS_TURN_SQL } from "../db/poll-partitions";
import { feedSourcesInDirectory, loadFeeds } from "./load";

await setUpTestDatabase();

const POLLS = "store_id,status,timestamp_utc\n";
const HOURS = "store_id,day,start_time_local,end_time_local\n";
const ZONES = "store_id,timezone_str\n";
const published = (version: string) => path.resolve("tests/fixtures/published", version);

const load = (files: Record<string, string>, replace = false, turnWaitMs?: number) =>
  loadFeeds(feedSourcesInDirectory(feedDir(files)), { replace, turnWaitMs });
const counts = async () => {
  const { rows } = await pool().query(
    `SELECT (SELECT count(*) FROM polls)::int AS polls, (SELECT count(*) FROM business_hours)::int AS hours,
            (SELECT count(*) FROM store_timezones)::int AS zones`,
  );
  return rows[0] as { polls: number; hours: number; zones: number };
};

beforeEach(async () => {
  await pool().query("TRUNCATE polls, business_hours, store_timezones, import_log, stores, owners CASCADE");
});

describe("loading feeds into PostgreSQL", () => {
  it("loads the published 2023 files (19-digit ids, `day`, 2-6 fraction digits) and counts every row", async () => {
    const results = await loadFeeds(feedSourcesInDirectory(published("loop2023")));
    expect(results.map((r) => [r.file, r.rowsRead, r.rowsAdded, r.rowsDuplicate])).toEqual([
      ["store_status.csv", 5031, 5031, 0],
      ["menu_hours.csv", 3000, 3000, 0],
      ["timezones.csv", 2000, 2000, 0],
    ]);
    const { rows } = await pool().query("SELECT store_id, timestamp_utc::text AS t FROM polls WHERE store_id = '8419537941919820732'");
    expect(rows).toContainEqual({ store_id: "8419537941919820732", t: "2023-01-22 12:09:39.388884+00" });
  });

  it("loads the published 2025 files (BOM, `dayOfWeek`, no final newline)", async () => {
    const results = await loadFeeds(feedSourcesInDirectory(published("loop2025")));
    expect(results.map((r) => r.rowsAdded)).toEqual([364, 3000, 2000]);
  });

  it("a directory with only hours and zones is fine", async () => {
    const results = await load({ "menu_hours.csv": `${HOURS}s1,0,09:00:00,17:00:00\n`, "timezones.csv": `${ZONES}s1,Asia/Kolkata\n` });
    expect(results.map((r) => r.kind)).toEqual(["business_hours", "time_zones"]);
  });

  it("loading the same polls twice changes nothing: the second time they are all duplicates", async () => {
    await loadFeeds(feedSourcesInDirectory(published("loop2023")));
    const before = await feedTables();
    const again = await loadFeeds(feedSourcesInDirectory(published("loop2023")));
    expect(again[0]).toMatchObject({ rowsRead: 5031, rowsAdded: 0, rowsDuplicate: 5031 });
    expect(await feedTables()).toEqual(before);
  });

  it("merges polls: a poll with the same store and instant as a stored one is a duplicate, the rest are added", async () => {
    await load({ "store_status.csv": `${POLLS}s1,active,2023-01-22 12:00:00 UTC\n` });
    const [r] = await load({
      "store_status.csv": `${POLLS}s1,inactive,2023-01-22T12:00:00Z\ns1,active,2023-01-22 13:00:00 UTC\ns1,active,2023-01-22 13:00:00 UTC\n`,
    });
    expect(r).toMatchObject({ rowsRead: 3, rowsAdded: 1, rowsDuplicate: 2 });
    const { rows } = await pool().query("SELECT status FROM polls WHERE timestamp_utc = '2023-01-22 12:00:00+00'");
    expect(rows).toEqual([{ status: "active" }]);
  });

  it("business hours and time zones replace the stored rows of each store the file names, and only those", async () => {
    await load({
      "menu_hours.csv": `${HOURS}s1,0,09:00:00,17:00:00\ns1,1,09:00:00,17:00:00\ns2,0,10:00:00,11:00:00\n`,
      "timezones.csv": `${ZONES}s1,America/New_York\ns2,America/Denver\n`,
    });
    const [hours, zones] = await load({
      "menu_hours.csv": `${HOURS}s1,4,12:00:00,13:00:00\n`,
      "timezones.csv": `${ZONES}s1,Asia/Kolkata\n`,
    });
    expect(hours).toMatchObject({ rowsAdded: 1, storesReplaced: 1 });
    expect(zones).toMatchObject({ rowsAdded: 1, storesReplaced: 1 });
    const q = (sql: string) =>
      pool()
        .query(sql)
        .then((r) => r.rows);
    expect(await q("SELECT store_id, day_of_week, start_time_local::text FROM business_hours ORDER BY 1, 2")).toEqual([
      { store_id: "s1", day_of_week: 4, start_time_local: "12:00:00" },
      { store_id: "s2", day_of_week: 0, start_time_local: "10:00:00" },
    ]);
    expect(await q("SELECT * FROM store_timezones ORDER BY 1")).toEqual([
      { store_id: "s1", timezone_str: "Asia/Kolkata" },
      { store_id: "s2", timezone_str: "America/Denver" },
    ]);
  });

  it("a store named twice in a time-zone file takes its last zone", async () => {
    const [r] = await load({ "timezones.csv": `${ZONES}s1,UTC\ns2,UTC\ns1,Asia/Kolkata\n` });
    expect(r).toMatchObject({ rowsRead: 3, rowsAdded: 2, rowsDuplicate: 1 });
    const { rows } = await pool().query("SELECT * FROM store_timezones ORDER BY 1");
    expect(rows).toEqual([
      { store_id: "s1", timezone_str: "Asia/Kolkata" },
      { store_id: "s2", timezone_str: "UTC" },
    ]);
  });

  it("--replace empties the three tables first", async () => {
    await loadFeeds(feedSourcesInDirectory(published("loop2023")));
    await load({ "timezones.csv": `${ZONES}only,UTC\n` }, true);
    expect(await counts()).toEqual({ polls: 0, hours: 0, zones: 1 });
  });

  it("a first load into an empty table keeps the indexes the migrations made", async () => {
    const indexes = () =>
      pool()
        .query("SELECT indexdef FROM pg_indexes WHERE tablename = 'polls' ORDER BY 1")
        .then((r) => r.rows);
    const before = await indexes();
    await loadFeeds(feedSourcesInDirectory(published("loop2025")));
    expect(await indexes()).toEqual(before);
    expect(before).toHaveLength(2);
  });

  it("two loads into an empty table at once both succeed, one after the other (20 rounds)", async () => {
    const polls = (prefix: string) =>
      POLLS +
      Array.from(
        { length: 2000 },
        (_, i) => `${prefix}${i % 50},active,2024-01-01 ${String(i % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00 UTC`,
      ).join("\n");
    const [a, b] = [feedDir({ "store_status.csv": polls("a") }), feedDir({ "store_status.csv": polls("b") })];
    for (let round = 0; round < 20; round++) {
      await pool().query("TRUNCATE polls");
      const results = await Promise.all([a, b].map((dir) => loadFeeds(feedSourcesInDirectory(dir))));
      const added = results.flat().reduce((n, r) => n + r.rowsAdded, 0);
      // Distinct stores in the two files: each load adds all of its own, whichever goes first.
      expect(results.map(([r]) => r!.rowsAdded)).toEqual([600, 600]);
      expect((await counts()).polls).toBe(added);
    }
  });

  it("a load that waits for its turn longer than it may is refused with a 503, adding nothing and saying why", async () => {
    const other = await pool().connect();
    try {
      await other.query("BEGIN");
      await other.query(LOADS_TURN_SQL); // another load under way, e.g. a --replace
      const started = performance.now();
      const refused = await load({ "store_status.csv": `${POLLS}s1,active,2023-01-22 12:00:00 UTC\n` }, false, 300).catch((e) => e);
      expect(refused).toMatchObject({ code: "loads_busy", status: 503, headers: { "Retry-After": "5" } });
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await other.query("ROLLBACK");
      other.release();
    }
    expect(await counts()).toEqual({ polls: 0, hours: 0, zones: 0 });
    const { rows } = await pool().query("SELECT outcome, message FROM import_log");
    expect(rows).toEqual([{ outcome: "rejected", message: expect.stringContaining("another load has been writing polls") }]);
  });

  it("records each file in the import log", async () => {
    await loadFeeds(feedSourcesInDirectory(published("loop2025")), { actor: "test" });
    const { rows } = await pool().query("SELECT file_name, kind, actor, rows_read, rows_added, outcome FROM import_log ORDER BY id");
    expect(rows).toEqual([
      { file_name: "store_status.csv", kind: "polls", actor: "test", rows_read: 364, rows_added: 364, outcome: "loaded" },
      { file_name: "menu_hours.csv", kind: "business_hours", actor: "test", rows_read: 3000, rows_added: 3000, outcome: "loaded" },
      { file_name: "timezones.csv", kind: "time_zones", actor: "test", rows_read: 2000, rows_added: 2000, outcome: "loaded" },
    ]);
  });
});

describe("a bad file loads nothing", () => {
  it.each([
    [
      "an unknown status",
      { "store_status.csv": `${POLLS}s1,active,2023-01-22 12:00:00 UTC\ns1,down,2023-01-22 13:00:00 UTC\n` },
      "store_status.csv line 3, column status",
    ],
    [
      "an unparseable timestamp",
      { "store_status.csv": `${POLLS}s1,active,2023-01-22 12:00\n` },
      "store_status.csv line 2, column timestamp_utc",
    ],
    [
      "a poll from the far future",
      { "store_status.csv": `${POLLS}s1,active,2023-01-22 12:00:00 UTC\ns1,active,9999-12-31 00:00:00 UTC\n` },
      "store_status.csv line 3, column timestamp_utc",
    ],
    [
      "a poll before 1970",
      { "store_status.csv": `${POLLS}s1,active,1969-12-31 23:59:59 UTC\n` },
      "store_status.csv line 2, column timestamp_utc",
    ],
    ["a day outside 0-6", { "menu_hours.csv": `${HOURS}s1,9,09:00:00,17:00:00\n` }, "menu_hours.csv line 2, column day"],
    ["a malformed time", { "menu_hours.csv": `${HOURS}s1,1,09:00,17:00:00\n` }, "menu_hours.csv line 2, column start_time_local"],
    ["an unknown zone", { "timezones.csv": `${ZONES}s1,Europe/Atlantis\n` }, "timezones.csv line 2, column timezone_str"],
    ["a missing column", { "timezones.csv": "store_id,zone\ns1,UTC\n" }, "timezones.csv line 1, column timezone_str: missing column"],
    ["an empty store id", { "timezones.csv": `${ZONES},UTC\n` }, "timezones.csv line 2, column store_id"],
  ])("%s: the database stays exactly as it was", async (_name, files, message) => {
    await loadFeeds(feedSourcesInDirectory(published("loop2025")));
    const before = await feedTables();
    const refusal = await load({
      ...files,
      "menu_hours.csv": files["menu_hours.csv" as keyof typeof files] ?? `${HOURS}new,0,01:00:00,02:00:00\n`,
    }).catch((e) => e);
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal.message).toContain(message);
    expect(refusal.message).toContain("nothing was loaded");
    expect(await feedTables()).toEqual(before);
    const { rows } = await pool().query("SELECT outcome FROM import_log WHERE outcome <> 'loaded'");
    expect(rows.length).toBeGreaterThan(0);
  });

  it("a refusal lists 20 problems and gives the total", async () => {
    const bad = Array.from({ length: 25 }, (_, i) => `s${i},7,09:00:00,17:00:00`).join("\n");
    const refusal = await load({ "menu_hours.csv": `${HOURS}${bad}\n` }).catch((e) => e);
    expect(refusal.message).toMatch(/^menu_hours\.csv: 25 invalid rows, nothing was loaded/);
    expect(refusal.message).toContain("... and 5 more");
    expect(refusal.message.split("\n").filter((l: string) => l.startsWith("menu_hours.csv line"))).toHaveLength(20);
  });

  it("--replace with a bad file empties nothing", async () => {
    await loadFeeds(feedSourcesInDirectory(published("loop2025")));
    const before = await feedTables();
    await expect(load({ "timezones.csv": `${ZONES}s1,Nowhere/Land\n` }, true)).rejects.toThrow(/nothing was loaded/);
    expect(await feedTables()).toEqual(before);
  });

  it("a directory without feed files is refused by name", () => {
    expect(() => feedSourcesInDirectory(feedDir({ "other.csv": "a,b\n" }))).toThrow(
      /holds none of store_status.csv, menu_hours.csv, timezones.csv, stores.csv/,
    );
  });

  describe("the store directory (stores.csv)", () => {
    const directory = async () => (await feedTables()).stores;

    it("loads names and addresses, making the owners it names (named after their slug)", async () => {
      const [r] = await load({ "stores.csv": 'store_id,name,address,owner\ns1,Burger Hut,"1 Main St, Springfield",Acme\ns2,Café Été,,\n' });
      expect(r).toMatchObject({ kind: "stores", rowsRead: 2, rowsAdded: 2, storesReplaced: 0 });
      expect(await directory()).toEqual([
        { store_id: "s1", name: "Burger Hut", address: "1 Main St, Springfield", slug: "acme" },
        { store_id: "s2", name: "Café Été", address: null, slug: null },
      ]);
      expect((await feedTables()).owners).toEqual([{ slug: "acme", name: "acme" }]);
    });

    it("replaces names per store; an empty owner cell, or no owner column, keeps the store's owner; the last row of a store wins", async () => {
      await load({ "stores.csv": "store_id,name,owner\ns1,Old,acme\ns2,Two,bistro\n" });
      const [r] = await load({ "stores.csv": "store_id,name,owner\ns1,New,\ns3,Three,acme\ns3,Three again,bistro\n" });
      expect(r).toMatchObject({ rowsRead: 3, rowsAdded: 1, storesReplaced: 1 });
      await load({ "stores.csv": "name,store_id\nSecond,s2\n" });
      expect(await directory()).toEqual([
        { store_id: "s1", name: "New", address: null, slug: "acme" },
        { store_id: "s2", name: "Second", address: null, slug: "bistro" },
        { store_id: "s3", name: "Three again", address: null, slug: "bistro" },
      ]);
    });

    it.each([
      ["store_id,name,owner\ns1,A,Not A Slug\n", "stores.csv line 2, column owner: expected an owner's short name"],
      ["store_id,name\ns1,\n", "stores.csv line 2, column name: expected a name of 1 to 200 characters"],
      ["store_id,address\ns1,x\n", "stores.csv line 1, column name: missing column name in the header of a store directory file"],
    ])("refuses %j, making no owner", async (content, message) => {
      await expect(load({ "stores.csv": content })).rejects.toThrow(message);
      expect(await feedTables()).toMatchObject({ stores: [], owners: [] });
    });
  });
});
