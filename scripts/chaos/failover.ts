// failover: the app on a replicated cluster (scripts/cluster/local.ts: Patroni, etcd, HAProxy, pgBackRest) while
// 6 pollers push unique polls through the poll API and a report runs, through (a) the leader's machine lost (its
// Patroni and PostgreSQL SIGKILLed together), (b) a planned switchover, (c) the synchronous replica's machine lost;
// each prints the polls acknowledged against those stored (equal: nothing acknowledged is lost), the longest spell
// of failing calls (at most 30 s for a lost leader, 5 s for the others), that every failing call was a 503 with
// Retry-After, and the report's outcome (Complete, with the rows of a report made before the fault). Then (d) a
// restore: a full backup, a bad file loaded with --replace, and the cluster restored into a fresh server to the
// moment before it: its polls equal the original's.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { closePool } from "../../lib/db/pool";
import { withDatabase } from "../../lib/db/prepare";
import { pointAtDatabase } from "../../lib/db/url";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { generatedDatabase } from "../bench-data";
import { LocalCluster, type Member } from "../cluster/local";
import { type Check, Launcher, queryOnce, seconds, waitFor, watchStatusCalls } from "./harness";

/** A query on the cluster, over a connection of its own made within 10 s. */
const query = <R extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []) => queryOnce<R>(url, sql, values, 10_000);

const DATABASE = "storemon_chaos_failover";
const POLLERS = 6;
const BATCH = 200;
const INGEST_KEY = "chaos-failover-ingest-key-0123456789";
const REPORTS_KEY = "chaos-failover-reports-key-0123456789";

/** What the pollers of one scenario saw. */
interface Pushes {
  acknowledged: number;
  failures: { at: number; answer: string }[];
  /** Failing calls that were not a 503 with Retry-After (a 500, a hang, a refused connection). */
  wrong: string[];
  longestFailingMs: number;
}

/**
 * POLLERS pollers, each pushing batches of polls of stores of its own (`<prefix>-p<i>-s<k>`, in 2020, so that no
 * report's figures of the generated stores change) until stopped; a batch that fails is sent again until it is
 * acknowledged, as a poller does. Returns a function that stops them and tells what they saw.
 */
function startPollers(app: Launcher, prefix: string): () => Promise<Pushes> {
  let pushing = true;
  const seen: Pushes = { acknowledged: 0, failures: [], wrong: [], longestFailingMs: 0 };
  const poller = async (i: number) => {
    let second = 0;
    while (pushing) {
      const polls = Array.from({ length: BATCH }, (_, k) => ({
        store_id: `${prefix}-p${i}-s${k % 20}`,
        timestamp_utc: new Date(Date.UTC(2020, 0, 1) + (second + k) * 1000).toISOString(),
        status: k % 7 ? "active" : "inactive",
      }));
      second += BATCH;
      let failingSince: number | null = null;
      for (;;) {
        const at = Date.now();
        const answer = await app
          .request(
            "/api/polls",
            {
              method: "POST",
              headers: { authorization: `Bearer ${INGEST_KEY}`, "content-type": "application/json" },
              body: JSON.stringify(polls),
            },
            15_000,
          )
          .then(
            async (r) => ({ status: r.status, retryAfter: r.headers.has("retry-after"), text: r.ok ? "" : (await r.text()).slice(0, 120) }),
            (e: Error) => ({ status: 0, retryAfter: false, text: e.message }),
          );
        if (answer.status >= 200 && answer.status < 300) {
          seen.acknowledged += polls.length;
          if (failingSince !== null) seen.longestFailingMs = Math.max(seen.longestFailingMs, Date.now() - failingSince);
          break;
        }
        failingSince ??= at;
        const described = `${answer.status} ${answer.text} after ${seconds(Date.now() - at)}`;
        seen.failures.push({ at, answer: described });
        if (answer.status !== 503 || !answer.retryAfter) seen.wrong.push(described);
        await sleep(250);
      }
    }
  };
  const running = Array.from({ length: POLLERS }, (_, i) => poller(i));
  return async () => {
    pushing = false;
    await Promise.all(running);
    return seen;
  };
}

/** The report's CSV rows of the generated stores (the pollers' stores left out), sorted. */
async function generatedRows(app: Launcher, id: string): Promise<string[]> {
  const lines = (await app.csv(id)).toString().trim().split("\n").slice(1);
  return lines.filter((line) => !line.startsWith("chaos-")).sort();
}

/** The polls' count and a checksum over every poll: two databases with the same polls have the same. */
const POLLS_FINGERPRINT = `SELECT count(*)::text AS n, coalesce(sum(hashtextextended(store_id || ' ' || timestamp_utc::text || ' ' || status::text, 0)::numeric), 0)::text AS sum FROM polls`;

export async function failover(): Promise<Check[]> {
  const cluster = new LocalCluster(".data/chaos-cluster", Number(process.env.CLUSTER_PORT ?? 55400) + 100);
  if (cluster.running()) await cluster.down();
  fs.rmSync(cluster.dir, { recursive: true, force: true });
  console.log("[chaos] failover: starting a three-member cluster ...");
  await cluster.up(() => {});
  const checks: Check[] = [];
  let app: Launcher | undefined;
  try {
    const { url } = await generatedDatabase(cluster.urls().adminUrl, DATABASE, { stores: 4500, days: 17, actor: "chaos" });
    await closePool();
    const readUrl = new URL(url);
    readUrl.port = String(cluster.replicasPort);
    app = await Launcher.start("failover", url, 2, {
      DATABASE_READ_URL: readUrl.toString(),
      API_KEYS: `ingest:${INGEST_KEY},reports:${REPORTS_KEY}`,
    });
    app.authorization = `Bearer ${REPORTS_KEY}`;
    checks.push(...(await scenarios(app, cluster)));
  } finally {
    await app?.stop();
    await closePool();
    await cluster.down();
  }
  return checks;
}

/** The replica reads, then scenarios (a)-(d), on the app running on `cluster`. */
async function scenarios(app: Launcher, cluster: LocalCluster): Promise<Check[]> {
  const checks: Check[] = [];
  if ((await app.ready(2, 120_000)) === null) throw new Error(`the app did not start:\n${app.output.slice(-3000)}`);
  // The pollers' month (January 2020) gets its partition now: made while a report runs, it would wait for it.
  const stopWarmUp = startPollers(app, "chaos-warm-up");
  await sleep(1000);
  if ((await stopWarmUp()).acknowledged === 0) throw new Error("the poll API acknowledged no warm-up push");
  const before = await app.trigger();
  if ((await app.finished(before, 180_000))?.status !== "Complete") throw new Error("the report before the faults did not complete");
  const expected = await generatedRows(app, before);
  checks.push(...(await replicaReads(app, cluster)));

  /** One fault, with pollers pushing and a report running across it; then the cluster made whole again. */
  const scenario = async (name: string, prefix: string, limitMs: number, fault: () => Promise<Member | null>) => {
    const stopPollers = startPollers(app, prefix);
    await sleep(3000);
    const report = await app.trigger();
    const stopWatching = watchStatusCalls(app, report);
    await sleep(500);
    const lost = await fault();
    // The app answers again, and goes on for a while: the pollers push on the new leader.
    await waitFor(
      async () =>
        (await app.request("/api/health/ready").then(
          (r) => r.ok,
          () => false,
        )) || undefined,
      120_000,
    );
    await sleep(5000);
    const pushes = await stopPollers();
    const status = await stopWatching();
    const ended = await app.finished(report, 300_000);
    const stored = Number(
      (
        await query<{ n: string }>(
          withDatabase(cluster.urls().adminUrl, DATABASE),
          "SELECT count(*) AS n FROM polls WHERE store_id LIKE $1",
          [`${prefix}-%`],
        )
      )[0]!.n,
    );
    const rows = ended?.status === "Complete" ? await generatedRows(app, report) : [];
    const sameRows = rows.length === expected.length && rows.every((row, i) => row === expected[i]);
    const failingMs = Math.max(pushes.longestFailingMs, status.longestOutageMs);
    if (lost) {
      cluster.startMember(lost);
      await cluster.healthy(2, 180_000);
    }
    checks.push(
      {
        check: `${name}: polls acknowledged = stored`,
        figure: `${pushes.acknowledged.toLocaleString("en")} acknowledged, ${stored.toLocaleString("en")} stored`,
        ok: pushes.acknowledged > 0 && stored === pushes.acknowledged,
      },
      {
        check: `${name}: longest spell of failing calls (at most ${limitMs / 1000} s)`,
        figure: `${seconds(failingMs)} (pushes ${seconds(pushes.longestFailingMs)}, status calls ${seconds(status.longestOutageMs)}; ${pushes.failures.length} pushes and ${status.failures.length} of ${status.calls} status calls failed)`,
        ok: failingMs <= limitMs,
      },
      {
        check: `${name}: every failing push a 503 with Retry-After`,
        figure: pushes.wrong.length
          ? `${pushes.wrong.length} not, e.g. ${pushes.wrong[0]}`
          : `${pushes.failures.length} failing pushes, all 503 + Retry-After`,
        ok: pushes.wrong.length === 0,
      },
      {
        check: `${name}: the report running across it`,
        figure: ended
          ? `${ended.status}${ended.error ? ` (${ended.error.slice(0, 100)})` : ""}; ${sameRows ? "the same rows as the report before" : `rows differ (${rows.length} against ${expected.length})`}`
          : "not finished within 300 s",
        ok: ended?.status === "Complete" && sameRows,
      },
    );
  };

  console.log("[chaos] failover: (a) the leader's machine lost ...");
  await scenario("(a) leader lost", "chaos-a", 30_000, async () => {
    const leader = (await cluster.leader())!;
    cluster.killMember(leader);
    return leader;
  });
  console.log("[chaos] failover: (b) a planned switchover ...");
  await scenario("(b) switchover", "chaos-b", 5_000, async () => {
    const members = await cluster.members();
    await cluster.switchover(members.find((m) => m.role === "sync_standby")!.name);
    return null;
  });
  console.log("[chaos] failover: (c) the synchronous replica's machine lost ...");
  await scenario("(c) replica lost", "chaos-c", 5_000, async () => {
    const sync = (await cluster.members()).find((m) => m.role === "sync_standby")!.name;
    cluster.killMember(sync);
    return sync;
  });

  console.log("[chaos] failover: (d) backup, a bad file loaded with --replace, restore to the moment before ...");
  checks.push(...(await restoreScenario(cluster)));
  return checks;
}

/**
 * Reads from the replicas: a report just seen Complete is at once on its page (read from the leader until a
 * replica holds it), and the pages' reads reach the replicas' connections (the web server's, by application_name).
 */
async function replicaReads(app: Launcher, cluster: LocalCluster): Promise<Check[]> {
  const fresh: string[] = [];
  for (let i = 0; i < 5; i++) {
    const id = await app.trigger();
    await app.finished(id, 180_000);
    const page = await app.request(`/api/reports/${id}`);
    const body = (await page.json().catch(() => ({}))) as { status?: string; totals?: unknown };
    if (page.status !== 200 || body.status !== "Complete" || !body.totals) fresh.push(`${id}: ${page.status} ${body.status}`);
  }
  await sleep(1500); // the staleness readings of the web server (one a second) find the replicas fresh
  for (let i = 0; i < 10; i++) for (const p of ["/api/fleet/now", "/api/fleet/periods"]) await app.request(p).then((r) => r.text());
  let onReplicas = 0;
  for (const member of await cluster.members())
    if (member.role !== "leader")
      onReplicas += Number(
        (
          await query<{ n: string }>(
            cluster.memberUrl(member.name),
            "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name LIKE 'storemon-web:%'",
          )
        )[0]!.n,
      );
  return [
    {
      check: "replica reads: a report just Complete is on its page at once",
      figure: fresh.length ? `${fresh.length} of 5 were not: ${fresh[0]}` : "5 of 5 reports: their page answered Complete with figures",
      ok: fresh.length === 0,
    },
    {
      check: "replica reads: the home's reads reach a replica",
      figure: `${onReplicas} of the web server's connections on the replicas`,
      ok: onReplicas > 0,
    },
  ];
}

async function restoreScenario(cluster: LocalCluster): Promise<Check[]> {
  const database = () => withDatabase(cluster.urls().adminUrl, DATABASE);
  const backupStarted = Date.now();
  await cluster.backup("full");
  const backupMs = Date.now() - backupStarted;
  const [original] = await query<{ n: string; sum: string }>(database(), POLLS_FINGERPRINT);
  const before = (await query<{ now: string }>(database(), "SELECT now()::text AS now"))[0]!.now;
  await sleep(1100);

  // A file of three polls, loaded with --replace: every poll before it is gone.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-bad-file-"));
  fs.writeFileSync(
    path.join(dir, "store_status.csv"),
    "store_id,status,timestamp_utc\nbad-store,active,2024-01-01 00:00:00 UTC\nbad-store,inactive,2024-01-01 01:00:00 UTC\nbad-store,active,2024-01-01 02:00:00 UTC\n",
  );
  pointAtDatabase(database());
  await loadFeeds(feedSourcesInDirectory(dir), { replace: true, actor: "chaos" });
  await closePool();
  const [damaged] = await query<{ n: string; sum: string }>(database(), POLLS_FINGERPRINT);
  // The WAL with the bad load goes to the repository now rather than within archive_timeout.
  const { segment } = (await query<{ segment: string }>(database(), "SELECT pg_walfile_name(pg_switch_wal()) AS segment"))[0]!;
  await waitFor(
    async () =>
      (await query<{ last: string | null }>(database(), "SELECT last_archived_wal AS last FROM pg_stat_archiver"))[0]!.last! >= segment ||
      undefined,
    120_000,
  );

  const restoreStarted = Date.now();
  const restored = await cluster.restore(before, path.join(cluster.dir, "restored"), cluster.basePort + 40);
  const restoreMs = Date.now() - restoreStarted;
  try {
    const [back] = await query<{ n: string; sum: string }>(withDatabase(restored.url, DATABASE), POLLS_FINGERPRINT);
    return [
      {
        check: "(d) restore: the bad file replaced the polls",
        figure: `${Number(original!.n).toLocaleString("en")} polls before it, ${Number(damaged!.n).toLocaleString("en")} after`,
        ok: damaged!.n !== original!.n,
      },
      {
        check: "(d) restore to the moment before it: the same polls",
        figure: `${Number(back!.n).toLocaleString("en")} polls restored (checksum ${back!.sum === original!.sum ? "equal" : "DIFFERENT"}); full backup ${seconds(backupMs)}, restore and replay ${seconds(restoreMs)}`,
        ok: back!.n === original!.n && back!.sum === original!.sum,
      },
    ];
  } finally {
    await restored.stop();
  }
}
