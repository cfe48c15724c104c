import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Papa from "papaparse";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { pool } from "../db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../feeds/load";
import { generateFeeds } from "../sample-data/generate";
import { FIGURE_KEYS, reportFigures, countWeek, ZoneClocks, type StoreData } from "../uptime";
import { setUpTestDatabase } from "../../tests/database";
import { feedDir } from "../../tests/fixtures";
import { triggerReport } from "./create";
import { queue } from "../jobs/queue";
import { REPORT_QUEUE, RETENTION_QUEUE, SHARD_QUEUE, type ShardJob } from "../jobs/queues";
import { reportState } from "./read";
import { runReport } from "./run";
import { computeShardOnce, runShardJob, SHARD_LOCK_SQL } from "./shard";
import { REPORT_LOCK_SQL } from "./state";
import { deleteExpiredReports, sweepOrphanedReports, MAX_ATTEMPTS } from "./sweep";
import { startWorker } from "../../scripts/app-processes";

const databaseUrl = await setUpTestDatabase();

const POLLS = "store_id,status,timestamp_utc\n";
const rowsOf = async (id: string) =>
  (
    await pool().query(
      `SELECT store_id, uptime_last_hour::text, uptime_last_day::text, uptime_last_week::text,
     downtime_last_hour::text, downtime_last_day::text, downtime_last_week::text FROM report_rows WHERE report_id = $1 ORDER BY store_id`,
      [id],
    )
  ).rows;

async function loadFiles(files: Record<string, string>, replace = true) {
  await loadFeeds(feedSourcesInDirectory(feedDir(files)), { replace });
}

async function completedReport(asOf?: string, options = {}) {
  const id = await triggerReport(asOf, { enqueue: false });
  expect(await runReport(id, options)).toBe("completed");
  return id;
}

beforeEach(async () => {
  await pool().query("TRUNCATE reports, report_rows, polls, business_hours, store_timezones, import_log CASCADE");
});

describe("a report computed from the database", () => {
  it("has one row per store with a poll at or before now, in byte order of store id", async () => {
    const ids = ["b", "B", "_x", "10", "9", "a"];
    await loadFiles({
      "store_status.csv":
        POLLS + ids.map((s) => `${s},active,2024-01-01 10:00:00 UTC`).join("\n") + "\nlater,active,2024-01-01 13:00:00 UTC\n",
    });
    const id = await completedReport("2024-01-01T12:00:00Z");
    expect((await rowsOf(id)).map((r) => r.store_id)).toEqual(["10", "9", "B", "_x", "a", "b"]);
    expect((await reportState(id)).asOfSource).toBe("request");
  });

  it("is recorded without reading polls when an as-of is given: a load holding the table does not hold up the trigger", async () => {
    const holder = await pool().connect();
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE polls IN ACCESS EXCLUSIVE MODE"); // as a load switching partitions does, for an instant
      const recorded = triggerReport("2024-01-01T12:00:00Z", { enqueue: false });
      expect(await Promise.race([recorded.then(() => "recorded"), sleep(3000).then(() => "waiting")])).toBe("recorded");
    } finally {
      await holder.query("ROLLBACK");
      holder.release();
    }
  });

  it("takes the newest poll as now when no as-of is given, to the microsecond", async () => {
    await loadFiles({ "store_status.csv": `${POLLS}s1,active,2024-01-01 10:00:00 UTC\ns2,inactive,2024-01-01 10:30:00.123456 UTC\n` });
    const state = await reportState(await completedReport());
    expect(state).toMatchObject({ asOf: "2024-01-01T10:30:00.123456Z", asOfSource: "newest poll", storesTotal: 2, storesDone: 2 });
  });

  it("gives what the engine gives on each store's whole history (the week plus the last poll before it suffices)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-gen-"));
    await generateFeeds({ stores: 40, days: 12, seed: 7 }, dir);
    await loadFeeds(feedSourcesInDirectory(dir), { replace: true });
    const id = await completedReport();
    const now = Date.parse((await reportState(id)).asOf) * 1000 + Number((await reportState(id)).asOf.slice(23, 26));

    const csv = (name: string) =>
      Papa.parse<string[]>(fs.readFileSync(path.join(dir, name), "utf8").trim(), { skipEmptyLines: true }).data.slice(1);
    const stores = new Map<string, StoreData>();
    const store = (id: string) => {
      if (!stores.has(id)) stores.set(id, { storeId: id, timeZone: null, hours: [], polls: [] });
      return stores.get(id)! as {
        storeId: string;
        timeZone: string | null;
        hours: StoreData["hours"][number][];
        polls: StoreData["polls"][number][];
      };
    };
    const seconds = (t: string) => t.split(":").reduce((s, part) => s * 60 + Number(part), 0);
    for (const [s, status, t] of csv("store_status.csv")) {
      const [date, time] = t!.split(" ");
      const [whole, fraction = ""] = time!.split(".");
      store(s!).polls.push({ at: Date.parse(`${date}T${whole}Z`) * 1000 + Number(fraction.padEnd(6, "0")), active: status === "active" });
    }
    for (const [s, day, start, end] of csv("menu_hours.csv"))
      store(s!).hours.push({ dayOfWeek: Number(day), start: seconds(start!), end: seconds(end!) });
    for (const [s, zone] of csv("timezones.csv")) store(s!).timeZone = zone!;

    const clocks = new ZoneClocks();
    const expected = [...stores.values()]
      .filter((s) => s.polls.length > 0)
      .sort((a, b) => (Buffer.from(a.storeId) < Buffer.from(b.storeId) ? -1 : 1))
      .map((s) => {
        const polls = [...s.polls].sort((a, b) => a.at - b.at);
        const figures = reportFigures(countWeek({ ...s, polls }, now, clocks)!.durations);
        return [s.storeId, ...FIGURE_KEYS.map((k) => figures[k])];
      });
    expect((await rowsOf(id)).map((r) => Object.values(r))).toEqual(expected);
  });

  it("reads one snapshot: polls loaded while it runs do not change it", async () => {
    const polls = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, "0")},active,2024-01-01 11:00:00 UTC`).join("\n");
    await loadFiles({ "store_status.csv": `${POLLS}${polls}\n` });
    const before = await rowsOf(await completedReport("2024-01-01T12:00:00Z"));

    process.env.REPORT_BATCH_STORES = "5";
    let loaded = false;
    const id = await completedReport("2024-01-01T12:00:00Z", {
      afterBatch: async () => {
        if (loaded) return;
        loaded = true; // after the first batch, every later store goes down and a new store appears
        const down = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, "0")},inactive,2024-01-01 11:30:00 UTC`).join("\n");
        await loadFiles({ "store_status.csv": `${POLLS}${down}\nnew,active,2024-01-01 11:00:00 UTC\n` }, false);
      },
    });
    delete process.env.REPORT_BATCH_STORES;
    expect(loaded).toBe(true);
    expect(await rowsOf(id)).toEqual(before);
  });

  it("is never computed by two processes at once: a report locked elsewhere is left alone", async () => {
    await loadFiles({ "store_status.csv": `${POLLS}s1,active,2024-01-01 10:00:00 UTC\n` });
    const id = await triggerReport(undefined, { enqueue: false });
    const other = await pool().connect();
    await other.query(`SELECT pg_advisory_lock(${REPORT_LOCK_SQL})`, [id]);
    expect(await runReport(id)).toBe("running-elsewhere");
    expect((await reportState(id)).status).toBe("Queued");
    other.release(true); // the holder's connection ends, as when its process dies: the server frees the lock
    await expect.poll(() => runReport(id), { timeout: 5000 }).toBe("completed");
    expect(await runReport(id)).toBe("already-finished");
  });

  it("a report that fails is marked Failed with a message", async () => {
    await loadFiles({ "store_status.csv": `${POLLS}s1,active,2024-01-01 10:00:00 UTC\n` });
    // Straight into the table, past the loader's check of zone names.
    await pool().query("INSERT INTO store_timezones VALUES ('s1', 'Mars/Olympus')");
    await pool().query("INSERT INTO business_hours VALUES ('s1', 0, '09:00', '17:00')");
    const id = await triggerReport(undefined, { enqueue: false });
    expect(await runReport(id)).toBe("failed");
    const state = await reportState(id);
    expect(state.status).toBe("Failed");
    expect(state.error).toMatch(/^store s1: .*mars\/olympus/i);
  });
});

describe("recovery", () => {
  it("a report left Running by a worker that died is queued again, and Failed after repeated deaths", async () => {
    await loadFiles({ "store_status.csv": `${POLLS}s1,active,2024-01-01 10:00:00 UTC\n` });
    const id = await triggerReport(undefined, { enqueue: false });
    await pool().query("UPDATE reports SET status = 'Running', attempts = 1, created_at = now() - interval '1 minute' WHERE id = $1", [id]);
    expect(await sweepOrphanedReports()).toEqual([id]);
    expect((await pool().query("SELECT job_id FROM reports WHERE id = $1", [id])).rows[0].job_id).toBeTruthy();

    await pool().query("UPDATE reports SET attempts = $2 WHERE id = $1", [id, MAX_ATTEMPTS]);
    await pool().query("UPDATE pgboss.job SET state = 'failed' WHERE data->>'reportId' = $1", [id]);
    expect(await sweepOrphanedReports()).toEqual([]);
    const state = await reportState(id);
    expect(state.status).toBe("Failed");
    expect(state.error).toMatch(/could not be completed after 3 attempts/);
  });

  it("only one process sweeps at a time", async () => {
    const id = await triggerReport(undefined, { enqueue: false });
    await pool().query("UPDATE reports SET status = 'Running', attempts = 1, created_at = now() - interval '1 minute' WHERE id = $1", [id]);
    const other = await pool().connect();
    await other.query("SELECT pg_advisory_lock(hashtextextended('report-sweep', 0))");
    expect(await sweepOrphanedReports()).toEqual([]);
    other.release(true);
    await expect.poll(() => sweepOrphanedReports(), { timeout: 5000 }).toEqual([id]);
  });

  it("a report whose job was taken by a worker that died before it began is queued again", async () => {
    await loadFiles({ "store_status.csv": `${POLLS}s1,active,2024-01-01 10:00:00 UTC\n` });
    const id = await triggerReport();
    const taken = await (await queue()).fetch<{ reportId: string }>(REPORT_QUEUE, { batchSize: 100 }); // and its worker gone
    const job = taken.find((j) => j.data.reportId === id);
    expect(job).toBeDefined();
    await pool().query("UPDATE reports SET created_at = now() - interval '1 minute' WHERE id = $1", [id]);
    expect(await sweepOrphanedReports()).toEqual([]); // a worker may still be about to lock it
    await pool().query("UPDATE pgboss.job SET started_on = now() - interval '10 seconds' WHERE id = $1", [job!.id]);
    expect(await sweepOrphanedReports()).toEqual([id]);
  });

  it("a report whose worker died is completed by another worker within two sweep intervals", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-gen-"));
    await generateFeeds({ stores: 30, days: 8, seed: 4 }, dir);
    await loadFeeds(feedSourcesInDirectory(dir), { replace: true });
    const id = await triggerReport(undefined, { enqueue: false });
    // Its worker had begun the run (Running, attempt 1, the report's lock held) and then died.
    const dying = await pool().connect();
    await dying.query(`SELECT pg_advisory_lock(${REPORT_LOCK_SQL})`, [id]);
    await pool().query("UPDATE reports SET status = 'Running', attempts = 1, created_at = now() - interval '1 minute' WHERE id = $1", [id]);
    const worker = startWorker(databaseUrl, { REPORT_SWEEP_SECONDS: "1" });
    try {
      await sleep(2500); // the worker is up, and sweeping; the report is held
      expect((await reportState(id)).status).toBe("Running");
      dying.release(true);
      const died = Date.now();
      await expect.poll(async () => (await reportState(id)).status, { timeout: 2000, interval: 50 }).toBe("Complete");
      expect(Date.now() - died).toBeLessThan(2000);
    } finally {
      worker.kill("SIGTERM");
      await new Promise((resolve) => worker.once("exit", resolve));
    }
  });

  it("counts a store's progress once, with its rows: a shard that fails midway counts nothing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-gen-"));
    await generateFeeds({ stores: 20, days: 8, seed: 5 }, dir);
    await loadFeeds(feedSourcesInDirectory(dir), { replace: true });
    const id = await triggerReport("2024-10-14T20:00:00Z", { enqueue: false });
    await pool().query("UPDATE reports SET status = 'Running', attempts = 1, stores_total = 20 WHERE id = $1", [id]);
    const storeIds = (await pool().query("SELECT DISTINCT store_id FROM polls ORDER BY 1")).rows.map((r) => r.store_id as string);
    const range = { first: storeIds[0]!, last: storeIds.at(-1)!, stores: storeIds.length, ownerIds: null };
    const job = { reportId: id, attempt: 1, now: Date.parse("2024-10-14T20:00:00Z") * 1000, snapshot: "", ...range };
    process.env.REPORT_BATCH_STORES = "5";
    const reader = await pool().connect();
    try {
      await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const dies = computeShardOnce(reader, job, {
        afterBatch: async () => {
          throw new Error("the worker died");
        },
      });
      await expect(dies).rejects.toThrow("the worker died");
      await reader.query("ROLLBACK");
      expect(await reportState(id)).toMatchObject({ storesDone: 0 });
      await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      await computeShardOnce(reader, job);
      await reader.query("COMMIT");
    } finally {
      delete process.env.REPORT_BATCH_STORES;
      reader.release();
    }
    expect(await reportState(id)).toMatchObject({ storesDone: 20 });
    expect(await rowsOf(id)).toHaveLength(20);
  });

  it("a report a live worker holds is not swept", async () => {
    const id = await triggerReport(undefined, { enqueue: false });
    await pool().query("UPDATE reports SET status = 'Running', attempts = 1, created_at = now() - interval '1 minute' WHERE id = $1", [id]);
    const holder = await pool().connect();
    await holder.query(`SELECT pg_advisory_lock(${REPORT_LOCK_SQL})`, [id]);
    expect(await sweepOrphanedReports()).toEqual([]);
    holder.release(true);
  });

  describe("of shards whose worker stopped", () => {
    const asOf = "2024-10-14T20:00:00Z";
    // Four shards of ten stores; the run hands them to the queue, where this test plays the workers.
    async function shardedRun() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-gen-"));
      await generateFeeds({ stores: 40, days: 8, seed: 3 }, dir);
      await loadFeeds(feedSourcesInDirectory(dir), { replace: true });
      const expected = (await rowsOf(await completedReport(asOf))).length;
      process.env.REPORT_SHARD_STORES = "10";
      const id = await triggerReport(asOf, { enqueue: false });
      const run = runReport(id, { shardViaQueue: true });
      const taken: { data: ShardJob }[] = [];
      await vi.waitFor(async () => {
        taken.push(...(await (await queue()).fetch<ShardJob>(SHARD_QUEUE, { batchSize: 10 })));
        expect(taken).toHaveLength(4);
      });
      delete process.env.REPORT_SHARD_STORES;
      return { id, run, shards: taken.map((j) => j.data), expected };
    }
    /** A worker's connection inside a shard: the snapshot imported and the shard's lock held. */
    async function insideShard(job: ShardJob) {
      const client = await pool().connect();
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      await client.query(`SET TRANSACTION SNAPSHOT '${job.snapshot}'`);
      const key = [job.reportId, job.attempt, job.first];
      const { rows } = await client.query(`SELECT pg_try_advisory_xact_lock(${SHARD_LOCK_SQL}) AS ok`, key);
      expect(rows[0].ok).toBe(true);
      return client;
    }

    it("are computed by the report's run, which completes with every store's row", async () => {
      const { id, run, shards, expected } = await shardedRun();
      await runShardJob(shards[0]!); // a live worker does one shard
      (await insideShard(shards[1]!)).release(true); // one worker dies inside a shard; two die before starting theirs
      const reference = await rowsOf((await pool().query("SELECT id FROM reports WHERE id <> $1", [id])).rows[0].id);
      expect(await run).toBe("completed");
      expect(await rowsOf(id)).toEqual(reference);
      expect(reference).toHaveLength(expected);
      expect(await reportState(id)).toMatchObject({ status: "Complete", storesDone: 40 });
    });

    it("are not taken over while a live worker holds them", async () => {
      const { id, run, shards } = await shardedRun();
      await Promise.all(shards.slice(1).map((job) => runShardJob(job)));
      const worker = await insideShard(shards[0]!); // alive, and slow
      await sleep(3500);
      expect(await reportState(id)).toMatchObject({ status: "Running", storesDone: 30 });
      await worker.query("COMMIT"); // it gives the shard up without computing it
      worker.release();
      expect(await run).toBe("completed");
      expect(await reportState(id)).toMatchObject({ status: "Complete", storesDone: 40 });
    });

    it("a shard job of an earlier version (store ids, no range) is left to its run, which completes it", async () => {
      const { id, run, shards, expected } = await shardedRun();
      const { first: _first, last: _last, stores: _stores, ...rest } = shards[0]!;
      await runShardJob({ ...rest, storeIds: ["s1"] } as unknown as ShardJob);
      expect(await reportState(id)).toMatchObject({ status: "Running", storesDone: 0 });
      expect(await run).toBe("completed");
      expect(await rowsOf(id)).toHaveLength(expected);
    });

    it("a run whose database connection is lost (a failover) stays Running for the sweep, which runs it again to Complete", async () => {
      const { id, run, expected } = await shardedRun();
      // The run's connection is the one holding the report's session lock; the server ends it, as a lost leader does.
      const { rows } = await pool().query<{ ended: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ended FROM pg_locks
         WHERE locktype = 'advisory' AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = ${REPORT_LOCK_SQL}`,
        [id],
      );
      expect(rows).toEqual([{ ended: true }]);
      expect(await run).toBe("interrupted");
      expect(await reportState(id)).toMatchObject({ status: "Running", error: null });
      await pool().query("UPDATE reports SET created_at = now() - interval '1 minute' WHERE id = $1", [id]);
      expect(await sweepOrphanedReports()).toEqual([id]);
      expect(await runReport(id)).toBe("completed");
      expect(await reportState(id)).toMatchObject({ status: "Complete", storesDone: 40 });
      expect(await rowsOf(id)).toHaveLength(expected);
    });
  });
});

describe("retention", () => {
  it("deletes Complete and Failed reports older than the retention, with their rows, and keeps the rest", async () => {
    await loadFiles({ "store_status.csv": `${POLLS}s1,active,2024-01-01 10:00:00 UTC\n` });
    const [oldComplete, oldFailed, oldRunning, recent] = [
      await completedReport(),
      await completedReport(),
      await triggerReport(undefined, { enqueue: false }),
      await completedReport(),
    ];
    await pool().query("UPDATE reports SET status = 'Failed' WHERE id = $1", [oldFailed]);
    await pool().query("UPDATE reports SET status = 'Running' WHERE id = $1", [oldRunning]);
    await pool().query("UPDATE reports SET created_at = now() - interval '31 days' WHERE id = ANY($1)", [
      [oldComplete, oldFailed, oldRunning],
    ]);
    await pool().query("UPDATE reports SET created_at = now() - interval '29 days' WHERE id = $1", [recent]);
    expect(await deleteExpiredReports(30)).toBe(2);
    const left = (await pool().query("SELECT id FROM reports ORDER BY id")).rows.map((r) => r.id);
    expect(left).toEqual([oldRunning, recent].sort());
    expect((await pool().query("SELECT DISTINCT report_id FROM report_rows")).rows.map((r) => r.report_id)).toEqual([recent]);
  });

  it("is scheduled hourly in the queue", async () => {
    const { rows } = await pool().query("SELECT cron FROM pgboss.schedule WHERE name = $1", [RETENTION_QUEUE]);
    expect(rows).toEqual([{ cron: "17 * * * *" }]);
  });
});
