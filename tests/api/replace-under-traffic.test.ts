// `db:load --replace` while the app is in use, over real HTTP against the built app: pollers pushing polls, a
// report running, triggers and status calls. The replace takes its turn: it neither deadlocks with the pushes
// nor holds up the report, the triggers or the status calls; every push it acknowledges is kept.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { generateFeeds } from "../../lib/sample-data/generate";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const databaseUrl = await setUpTestDatabase();
const INGEST_KEY = "ingest-key-replace-0123456789";
const REPORTS_KEY = "reports-key-replace-0123456789";
let app: RunningApp;
// Two generations of the same fleet: each replace loads the one the database does not hold.
const feeds: string[] = [];
let holding = 0;
const nextFeeds = () => feeds[(holding = 1 - holding)]!;

beforeAll(async () => {
  for (const seed of [1, 2]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `storemon-replace-${seed}-`));
    await generateFeeds({ stores: 2000, days: 8, seed }, dir);
    feeds.push(dir);
  }
  await loadFeeds(feedSourcesInDirectory(feeds[0]!));
  // Shards of 50 stores: a report is forty of them, so that a replace begins while some are still to start.
  app = await startApp(databaseUrl, {
    workers: 2,
    env: { API_KEYS: `ingest:${INGEST_KEY},reports:${REPORTS_KEY}`, REPORT_SHARD_STORES: "50", TRIGGER_LIMIT_PER_MINUTE: "1000" },
  });
}, 300_000);
afterAll(() => app?.stop());

const api = (p: string, key: string, init?: RequestInit) =>
  fetch(`${app.baseUrl}${p}`, {
    ...init,
    headers: { ...init?.headers, authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(60_000),
  });
const polls = async () => (await pool().query<{ n: number }>("SELECT count(*)::int AS n FROM polls")).rows[0]!.n;

/** Whether `npm run db:load` (a process of role cli) holds the loads' turn. */
async function commandHoldsTurn(): Promise<boolean> {
  const { rows } = await pool().query(
    `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
     WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'storemon-cli:%'`,
  );
  return rows.length > 0;
}

describe("db:load --replace while pollers push", () => {
  it("succeeds without a deadlock, and every push it acknowledged is there afterwards", async () => {
    interface Push {
      poller: string;
      first: number;
      sentAt: number;
      afterTurn: boolean;
      status?: number;
      code?: string;
    }
    const pushes: Push[] = [];
    let turnSeenAt = Infinity;
    let replaceDone = false;
    const BATCH = 20;
    // A poller sends batches of 20 polls of its own store, each at instants no other batch has, until the
    // replace is over and a few more after it.
    const poller = async (name: string) => {
      let after = 0;
      for (let n = 0; after < 3; n++) {
        const push: Push = { poller: name, first: n * BATCH, sentAt: Date.now(), afterTurn: Date.now() > turnSeenAt };
        pushes.push(push);
        const body = Array.from({ length: BATCH }, (_, i) => ({
          store_id: `push-${name}`,
          timestamp_utc: new Date(Date.UTC(2024, 9, 1) + (n * BATCH + i) * 60_000).toISOString(),
          status: "active",
        }));
        const response = await api("/api/polls", INGEST_KEY, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        push.status = response.status;
        if (!response.ok) push.code = ((await response.json()) as { error: { code: string } }).error.code;
        if (replaceDone) after++;
        await sleep(20);
      }
    };
    const pollers = Promise.all([poller("a"), poller("b")]);
    await sleep(500);
    const dir = nextFeeds();
    const replace = promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/db-load.ts", dir, "--replace"], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
    }).finally(() => (replaceDone = true));
    const watch = (async () => {
      while (!replaceDone && turnSeenAt === Infinity) {
        if (await commandHoldsTurn()) turnSeenAt = Date.now();
        await sleep(20);
      }
    })();
    const { stdout } = await replace;
    await Promise.all([watch, pollers]);

    const added = Number(/store_status\.csv \(polls\): \d+ read, (\d+) added/.exec(stdout)?.[1]);
    expect(added).toBeGreaterThan(0);
    // Every push was taken, or refused with a 503 that says why (the replace held the table past its wait).
    for (const push of pushes)
      expect(push.status === 200 || (push.status === 503 && push.code === "loads_busy"), JSON.stringify(push)).toBe(true);
    const { rows } = await pool().query<{ store_id: string; n: number }>(
      `SELECT store_id, (extract(epoch FROM timestamp_utc - '2024-10-01Z') / 60)::int AS n FROM polls WHERE store_id LIKE 'push-%'`,
    );
    const kept = new Set(rows.map((r) => `${r.store_id}:${r.n}`));
    for (const push of pushes) {
      const present = Array.from({ length: BATCH }, (_, i) => kept.has(`push-${push.poller}:${push.first + i}`));
      if (push.status !== 200) expect(present.some(Boolean), JSON.stringify(push)).toBe(false);
      // All or nothing; and once the replace held its turn, an acknowledged push is not lost to it.
      else if (push.afterTurn) expect(present.every(Boolean), JSON.stringify(push)).toBe(true);
      else expect(new Set(present).size, JSON.stringify(push)).toBe(1);
    }
    expect(turnSeenAt).toBeLessThan(Infinity);
    // Pushes went on through the replace: some were sent while it held its turn, and kept.
    expect(pushes.filter((p) => p.afterTurn && p.status === 200).length).toBeGreaterThan(0);
    // Nothing else is there: the file's polls and the pushes kept.
    expect(await polls()).toBe(added + kept.size);
  }, 180_000);
});

describe("a replace started while a report runs", () => {
  /** Triggers a report as of `asOf` and waits for it; its time from trigger to Complete, and its CSV. */
  async function report(asOf: string, until = 60_000): Promise<{ id: string; ms: number; csv: string }> {
    const started = Date.now();
    const response = await api("/trigger_report", REPORTS_KEY, { method: "POST", body: JSON.stringify({ as_of: asOf }) });
    const { report_id: id } = (await response.json()) as { report_id: string };
    for (;;) {
      const body = (await (await api(`/get_report?report_id=${id}`, REPORTS_KEY)).json()) as { status: string; progress?: number };
      if (body.status === "Complete") break;
      if (body.status !== "Running") throw new Error(`report ${id}: ${JSON.stringify(body)}`);
      if (Date.now() - started > until) throw new Error(`report ${id} still running after ${until} ms`);
      await sleep(20);
    }
    const ms = Date.now() - started;
    return { id, ms, csv: await (await api(`/get_report_file/${id}`, REPORTS_KEY)).text() };
  }

  it("the report completes in about its usual time, from the polls it began with; triggers and status calls are answered meanwhile", async () => {
    const asOf = "2024-10-14T20:00:00Z";
    const usual = await report(asOf);

    const during = report(asOf, Math.max(5 * usual.ms, 15_000));
    // Once the report's first shards are in, and while others are still to come, the replace begins.
    for (;;) {
      const { rows } = await pool().query(
        "SELECT stores_done, stores_total FROM reports WHERE created_at > (SELECT created_at FROM reports WHERE id = $1)",
        [usual.id],
      );
      if (rows[0]?.stores_done > 0) {
        expect(rows[0].stores_done).toBeLessThan(rows[0].stores_total);
        break;
      }
      await sleep(10);
    }
    let settled = false;
    const dir = nextFeeds();
    const replace = loadFeeds(feedSourcesInDirectory(dir), { replace: true });
    void Promise.allSettled([during, replace]).then(() => (settled = true));
    // Triggers (with an as-of, and without: the newest poll) and status calls while the replace runs.
    const answers: { what: string; status: number; ms: number }[] = [];
    const timed = async (what: string, call: () => Promise<Response>) => {
      const started = Date.now();
      const response = await call();
      await response.text();
      answers.push({ what, status: response.status, ms: Date.now() - started });
    };
    for (let i = 0; !settled; i++) {
      await timed("status", () => api(`/get_report?report_id=${usual.id}`, REPORTS_KEY));
      if (i === 5)
        await timed("trigger as of", () =>
          api("/trigger_report", REPORTS_KEY, { method: "POST", body: '{"as_of":"2020-01-01T00:00:00Z"}' }),
        );
      if (i === 10) await timed("trigger", () => api("/trigger_report", REPORTS_KEY, { method: "POST" }));
      await sleep(100);
    }
    const [result, [loaded]] = await Promise.all([during, replace]);

    expect(result.ms).toBeLessThan(3 * usual.ms + 2000);
    expect(result.csv).toBe(usual.csv); // the polls there were when it began, though the replace committed since
    expect(answers.filter((a) => a.what.startsWith("trigger")).map((a) => a.status)).toEqual([202, 202]);
    for (const a of answers) expect(a.ms, JSON.stringify(a)).toBeLessThan(1500);
    expect(answers.every((a) => a.status < 300)).toBe(true);
    expect(await polls()).toBe(loaded!.rowsAdded);
    expect((await report(asOf)).csv).not.toBe(usual.csv); // and the next report reads the new polls
  }, 180_000);
});
