// Polls partitioned by month: loads make the months they need, the migration moved existing polls, retention
// drops whole months, and a report's reads touch only the months they ask for; the list of stores that have
// polls follows every write.
import pg from "pg";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, setUpTestDatabase } from "../../tests/database";
import { feedDir } from "../../tests/fixtures";
import { feedSourcesInDirectory, loadFeeds } from "../feeds/load";
import { migrate, readMigrations } from "./migrate";
import { pool } from "./pool";
import { prisma } from "./prisma";
import { dropExpiredPolls, maintainPollPartitions, preparePollPartitions } from "./poll-partitions";
import { storeRangesPolledBy, storesPolledBy } from "../reports/store-data";

await setUpTestDatabase();

const loadPolls = (lines: string[], replace = false) =>
  loadFeeds(feedSourcesInDirectory(feedDir({ "store_status.csv": "store_id,status,timestamp_utc\n" + lines.join("\n") + "\n" })), {
    replace,
  });

/** Each partition of polls with its rows: name → count. */
async function partitions(): Promise<Record<string, number>> {
  const { rows } = await pool().query<{ name: string; n: number }>(
    `SELECT c.relname AS name, (SELECT count(*)::int FROM polls p WHERE p.tableoid = c.oid) AS n
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'polls'::regclass ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}

/** A partition's bounds as PostgreSQL states them. */
async function bounds(name: string): Promise<string> {
  const { rows } = await pool().query(`SELECT pg_get_expr(relpartbound, oid) AS b FROM pg_class WHERE relname = $1`, [name]);
  return rows[0].b;
}

beforeEach(async () => {
  await pool().query("TRUNCATE polls, import_log");
  for (const name of Object.keys(await partitions())) if (name !== "polls_default") await pool().query(`DROP TABLE "${name}"`);
});

describe("polls partitioned by month", () => {
  it("a load makes the partitions of the months its polls span (UTC), and each poll lands in its month's", async () => {
    await loadPolls([
      "s1,active,2023-01-31 23:59:59.999999 UTC",
      "s1,inactive,2023-02-01 00:00:00 UTC",
      "s2,active,2023-03-31T22:30:00-02:00", // 2023-04-01 00:30 UTC
    ]);
    expect(await partitions()).toEqual({ polls_2023_01: 1, polls_2023_02: 1, polls_2023_03: 0, polls_2023_04: 1, polls_default: 0 });
    expect(await bounds("polls_2023_02")).toBe("FOR VALUES FROM ('2023-02-01 00:00:00+00') TO ('2023-03-01 00:00:00+00')");
    // A second load into the months there are makes none, and merges as before (a duplicate is not added twice).
    const [second] = await loadPolls(["s1,inactive,2023-02-01 00:00:00 UTC", "s3,active,2023-02-14 12:00:00 UTC"]);
    expect([second!.rowsAdded, second!.rowsDuplicate]).toEqual([1, 1]);
    expect(await partitions()).toMatchObject({ polls_2023_02: 2 });
    expect(Object.keys(await partitions())).toHaveLength(5);
  });

  it("polls years apart make only the months they fall in", async () => {
    await loadPolls(["s1,active,2019-06-15 00:00:00 UTC", "s1,active,2024-12-25 10:00:00 UTC"]);
    expect(await partitions()).toEqual({ polls_2019_06: 1, polls_2024_12: 1, polls_default: 0 });
  });

  it("months are UTC months whatever the session's time zone, and the year's turn is right", async () => {
    const client = await pool().connect();
    try {
      await client.query("SET TIME ZONE 'America/Chicago'");
      await client.query("SELECT poll_partition_for('2026-12-31 20:00:00-06')"); // 2027-01-01 02:00 UTC
    } finally {
      await client.query("RESET TIME ZONE");
      client.release();
    }
    expect(await bounds("polls_2027_01")).toBe("FOR VALUES FROM ('2027-01-01 00:00:00+00') TO ('2027-02-01 00:00:00+00')");
  });

  it("a poll written outside a load (no partition for its month) is kept in polls_default, then moved into its month", async () => {
    const at = new Date("2023-05-10T08:00:00Z");
    await prisma().poll.create({ data: { storeId: "s1", timestampUtc: at, status: "active" } });
    expect(await partitions()).toEqual({ polls_default: 1 });
    await loadPolls(["s2,inactive,2023-05-11 08:00:00 UTC"]);
    expect(await partitions()).toEqual({ polls_2023_05: 2, polls_default: 0 });
    expect(await prisma().poll.findMany({ orderBy: { storeId: "asc" } })).toEqual([
      { storeId: "s1", timestampUtc: at, status: "active" },
      { storeId: "s2", timestampUtc: new Date("2023-05-11T08:00:00Z"), status: "inactive" },
    ]);
  });

  it("a first load (--replace) rebuilds the primary key and the time index on every partition", async () => {
    await loadPolls(["s1,active,2023-01-10 00:00:00 UTC", "s1,active,2023-02-10 00:00:00 UTC"], true);
    const { rows } = await pool().query(
      `SELECT c.relname AS partition, string_agg(pg_get_indexdef(x.indexrelid), '; ' ORDER BY pg_get_indexdef(x.indexrelid)) AS indexes
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_index x ON x.indrelid = c.oid
       WHERE i.inhparent = 'polls'::regclass AND c.relname = 'polls_2023_02' GROUP BY 1`,
    );
    expect(rows[0].indexes).toMatch(/UNIQUE INDEX \w+ ON public\.polls_2023_02 USING btree \(store_id, timestamp_utc\)/);
    expect(rows[0].indexes).toMatch(/INDEX \w+ ON public\.polls_2023_02 USING btree \(timestamp_utc\)/);
    const { rows: pk } = await pool().query(`SELECT conname FROM pg_constraint WHERE conrelid = 'polls'::regclass AND contype = 'p'`);
    expect(pk).toEqual([{ conname: "polls_pkey" }]);
    // The key holds: the same poll again is a duplicate, not a second row.
    const [again] = await loadPolls(["s1,active,2023-02-10 00:00:00 UTC"]);
    expect(again!.rowsDuplicate).toBe(1);
  });

  it("a store's week is read from the months it touches, and from no other", async () => {
    await loadPolls(["s1,active,2023-01-10 00:00:00 UTC", "s1,active,2023-02-10 00:00:00 UTC", "s1,active,2023-03-10 00:00:00 UTC"]);
    await pool().query("ANALYZE polls");
    const { rows } = await pool().query(
      `EXPLAIN (ANALYZE, COSTS OFF) SELECT timestamp_utc FROM polls
       WHERE store_id = 's1' AND timestamp_utc >= '2023-02-05' AND timestamp_utc <= '2023-02-12' ORDER BY timestamp_utc`,
    );
    const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toContain("polls_2023_02");
    expect(plan).not.toMatch(/polls_2023_01|polls_2023_03/);
  });
});

const pollStores = async () =>
  Object.fromEntries(
    (await pool().query("SELECT store_id, first_poll_at::text AS f FROM poll_stores ORDER BY 1")).rows.map((r) => [r.store_id, r.f]),
  );

describe("the stores that have polls (poll_stores), which reports list", () => {
  it("are kept by every write to polls: a load, a later earlier poll, a plain insert, a delete, an update, a truncate", async () => {
    await loadPolls(["s1,active,2023-02-10 00:00:00 UTC", "s1,active,2023-03-10 00:00:00 UTC", "s2,active,2023-03-01 00:00:00 UTC"]);
    expect(await pollStores()).toEqual({ s1: "2023-02-10 00:00:00+00", s2: "2023-03-01 00:00:00+00" });
    await loadPolls(["s2,inactive,2023-01-20 00:00:00 UTC", "s1,active,2023-04-01 00:00:00 UTC"]);
    expect(await pollStores()).toEqual({ s1: "2023-02-10 00:00:00+00", s2: "2023-01-20 00:00:00+00" });
    await pool().query("INSERT INTO polls VALUES ('s3', '2023-03-05 00:00:00+00', 'active')");
    await pool().query("DELETE FROM polls WHERE store_id = 's2' AND timestamp_utc < '2023-02-01'");
    await pool().query("UPDATE polls SET store_id = 's4' WHERE store_id = 's3'");
    expect(await pollStores()).toEqual({ s1: "2023-02-10 00:00:00+00", s2: "2023-03-01 00:00:00+00", s4: "2023-03-05 00:00:00+00" });
    const client = await pool().connect();
    try {
      const now = Date.parse("2023-03-02T00:00:00Z") * 1000;
      expect(await storesPolledBy(client, now)).toEqual(["s1", "s2"]);
      // A report's shards: runs of its stores in byte order, each listed again from its range.
      expect(await storeRangesPolledBy(client, now, null, 1)).toEqual([
        { first: "s1", last: "s1", stores: 1 },
        { first: "s2", last: "s2", stores: 1 },
      ]);
      expect(await storeRangesPolledBy(client, Date.parse("2023-03-06T00:00:00Z") * 1000, null, 2)).toEqual([
        { first: "s1", last: "s2", stores: 2 },
        { first: "s4", last: "s4", stores: 1 },
      ]);
      expect(await storesPolledBy(client, now, null, { first: "s2", last: "s4" })).toEqual(["s2"]);
    } finally {
      client.release();
    }
    await pool().query("TRUNCATE polls");
    expect(await pollStores()).toEqual({});
  });
});

describe("retention", () => {
  it("drops the months wholly older than the days kept, counted back from the newest poll", async () => {
    await loadPolls(["s1,active,2023-01-15 00:00:00 UTC", "s1,active,2023-02-15 00:00:00 UTC", "s1,active,2023-03-20 00:00:00 UTC"]);
    // 30 days before 2023-03-20 is 2023-02-18: January is wholly older, February is not.
    await pool().query("INSERT INTO polls VALUES ('gone', '2023-01-20 00:00:00+00', 'active')");
    expect(await dropExpiredPolls(30)).toEqual(["polls_2023_01"]);
    expect(await partitions()).toEqual({ polls_2023_02: 1, polls_2023_03: 1, polls_default: 0 });
    // The stores whose first poll was in January: looked at again (s1's is now February's; "gone" has none).
    expect(await pollStores()).toEqual({ s1: "2023-02-15 00:00:00+00" });
    expect(await dropExpiredPolls(30)).toEqual([]);
    // 8 days back: 2023-03-12, February ended before it.
    expect(await dropExpiredPolls(8)).toEqual(["polls_2023_02"]);
    expect(await partitions()).toEqual({ polls_2023_03: 1, polls_default: 0 });
  });

  it("counts back from now when the newest poll is later (a clock ahead cannot empty the table), and keeps polls_default", async () => {
    const twentyDaysAgo = new Date(Date.now() - 20 * 86_400_000);
    await loadPolls([`s1,active,${twentyDaysAgo.toISOString()}`]);
    await pool().query(`SELECT poll_partition_for('2030-06-01 00:00:00+00')`);
    await pool().query(`INSERT INTO polls VALUES ('s1', '2030-06-01 00:00:00+00', 'active')`);
    await pool().query(`INSERT INTO polls_default VALUES ('s9', '1999-01-01 00:00:00+00', 'active')`);
    expect(await dropExpiredPolls(30)).toEqual([]);
    expect(Object.keys(await partitions())).toHaveLength(3);
  });

  it("the hourly round makes this month's and next month's partitions, once", async () => {
    expect(await maintainPollPartitions(undefined)).toEqual({ made: 2, dropped: [] });
    expect(await preparePollPartitions()).toBe(0);
    const now = new Date();
    const month = (d: Date) => `polls_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
    expect(Object.keys(await partitions())).toEqual(
      [month(now), month(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))), "polls_default"].sort(),
    );
  });

  it("waits at most a few seconds for a table that readers hold, and leaves it for the next round", async () => {
    await loadPolls(["s1,active,2023-01-15 00:00:00 UTC", "s1,active,2023-03-20 00:00:00 UTC"]);
    const reader = await pool().connect();
    try {
      await reader.query("BEGIN");
      await reader.query("LOCK TABLE polls IN ROW SHARE MODE"); // as a report's run holds it
      const started = performance.now();
      await expect(maintainPollPartitions(8)).rejects.toMatchObject({ code: "55P03" });
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      await reader.query("ROLLBACK");
      reader.release();
    }
    expect((await maintainPollPartitions(8)).dropped).toEqual(["polls_2023_01", "polls_2023_02"]); // February: made by the load's span, empty
  });
});

const older = new pg.Client({ connectionString: await createTestDatabase() });
await older.connect();
afterAll(() => older.end());

describe("the migration to months", () => {
  const client = older;

  it("moves the polls there were into their months' partitions, every one of them", async () => {
    await client.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
    const all = readMigrations();
    const at = all.findIndex((m) => m.name.endsWith("_polls_by_month"));
    await migrate(client, all.slice(0, at));
    await client.query(
      `INSERT INTO polls SELECT 's' || (n % 7), timestamp '2023-01-01' + n * interval '37 minutes', CASE WHEN n % 5 = 0 THEN 'inactive'::poll_status ELSE 'active' END
       FROM generate_series(0, 9999) n`,
    );
    const before = (await client.query("SELECT store_id, timestamp_utc, status FROM polls ORDER BY 1, 2")).rows;
    await migrate(client, all);
    expect((await client.query("SELECT store_id, timestamp_utc, status FROM polls ORDER BY 1, 2")).rows).toEqual(before);
    const { rows } = await client.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'polls'::regclass ORDER BY 1`,
    );
    // 10,000 × 37 minutes from 2023-01-01: into mid-September.
    expect(rows.map((r) => r.name)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => `polls_2023_0${m}`).concat("polls_default"));
    expect((await client.query("SELECT count(*)::int AS n FROM polls_default")).rows[0].n).toBe(0);
  });
});

describe("a load while readers hold polls", () => {
  it("goes on without waiting for them: the polls of a month that has no partition yet are kept in polls_default, then moved into it", async () => {
    await loadPolls(["s1,active,2023-01-15 00:00:00 UTC"]);
    const reader = await pool().connect();
    try {
      await reader.query("BEGIN");
      await reader.query("LOCK TABLE polls IN ROW SHARE MODE"); // as a report's run holds it
      const started = performance.now();
      const [loaded] = await loadPolls(["s1,active,2023-06-15 00:00:00 UTC", "s2,inactive,2023-06-16 00:00:00 UTC"]);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(loaded!.rowsAdded).toBe(2);
      expect(await partitions()).toEqual({ polls_2023_01: 1, polls_default: 2 });
    } finally {
      await reader.query("ROLLBACK");
      reader.release();
    }
    await loadPolls(["s3,active,2023-06-20 00:00:00 UTC"]);
    expect(await partitions()).toEqual({ polls_2023_01: 1, polls_2023_06: 3, polls_default: 0 });
    expect(Object.keys(await pollStores())).toEqual(["s1", "s2", "s3"]);
  });
});
