// kill: SIGKILL, ~250 ms into a report, the worker coordinating it, then the other worker, then the web server.
// Each time the report must still end Complete with a CSV byte-identical to an undisturbed run's, the dead
// process must be back within 5 s, and status calls must keep answering (the web server's: again within 5 s).
import { setTimeout as sleep } from "node:timers/promises";
import { REPORT_LOCK_SQL } from "../../lib/reports/state";
import { type ChaosDatabase, type Check, Launcher, loadedDatabase, seconds, waitFor, watchStatusCalls } from "./harness";

const DATABASE = "storemon_chaos_kill";
const KILL_AFTER_MS = 250;
const BACK_WITHIN_MS = 5_000;

/**
 * The OS pid of the worker holding the report's lock: its backend's application_name is
 * `storemon-<role>:<pid>` (lib/db/pool.ts).
 */
async function coordinator(db: ChaosDatabase, reportId: string): Promise<number | undefined> {
  const rows = await db.query<{ application_name: string }>(
    DATABASE,
    `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND ((l.classid::int8 << 32) | l.objid::int8) = ${REPORT_LOCK_SQL}`,
    [reportId],
  );
  const match = /^storemon-worker:(\d+)$/.exec(rows[0]?.application_name ?? "");
  return match ? Number(match[1]) : undefined;
}

type Victim = "coordinating worker" | "other worker" | "web server";

export async function kill(db: ChaosDatabase): Promise<Check[]> {
  const url = await loadedDatabase(db, DATABASE);
  const app = await Launcher.start("kill", url, 2);
  const checks: Check[] = [];
  try {
    const readyMs = await app.ready(2);
    if (readyMs === null) throw new Error(`the app did not start:\n${app.output}`);

    const undisturbedAt = Date.now();
    const baselineId = await app.trigger();
    const baseline = await app.finished(baselineId);
    if (baseline?.status !== "Complete") throw new Error(`the undisturbed report ended ${JSON.stringify(baseline)}`);
    const expected = await app.csv(baselineId);
    const rows = expected.toString().trimEnd().split("\n").length - 1;
    checks.push({
      check: "undisturbed report",
      figure: `Complete in ${seconds(Date.now() - undisturbedAt)}, ${rows.toLocaleString("en")} rows`,
      ok: true,
    });

    for (const victim of ["coordinating worker", "other worker", "web server"] as Victim[]) {
      const id = await app.trigger();
      const triggeredAt = Date.now();
      const stopWatching = watchStatusCalls(app, id);
      const coordinating = await waitFor(() => coordinator(db, id), 3_000);
      const pid =
        victim === "web server"
          ? app.web()
          : victim === "coordinating worker"
            ? coordinating
            : app.workers().find((w) => w !== coordinating);
      if (!pid) throw new Error(`no ${victim} to kill (coordinator: ${coordinating})`);
      await sleep(Math.max(0, triggeredAt + KILL_AFTER_MS - Date.now()));
      const killedAt = Date.now();
      process.kill(pid, "SIGKILL");

      const back = await waitFor(async () => {
        if (victim !== "web server") return app.workers().length === 2 && !app.workers().includes(pid);
        const web = app.web();
        return (
          web !== undefined &&
          web !== pid &&
          (await app.request("/api/health").then(
            (r) => r.status === 200,
            () => false,
          ))
        );
      }, BACK_WITHIN_MS);
      const backMs = Date.now() - killedAt;
      const result = await app.finished(id);
      const doneMs = Date.now() - triggeredAt;
      const statusCalls = await stopWatching();
      const csv = result?.status === "Complete" ? await app.csv(id) : null;

      checks.push(
        {
          check: `${victim} killed ${KILL_AFTER_MS} ms in: back`,
          figure: back ? `new pid in ${seconds(backMs)}` : `not within ${seconds(BACK_WITHIN_MS)}`,
          ok: !!back,
        },
        {
          check: `${victim} killed: report`,
          figure: `${result?.status ?? "still Running"} in ${seconds(doneMs)}${result?.error ? `: ${result.error}` : ""}; CSV ${csv?.equals(expected) ? "byte-identical" : "DIFFERENT"} (${csv ? csv.toString().trimEnd().split("\n").length - 1 : 0} rows)`,
          ok: !!csv?.equals(expected),
        },
        victim === "web server"
          ? {
              check: `${victim} killed: status calls`,
              figure: `unanswered for ${seconds(statusCalls.longestOutageMs)} (${statusCalls.failures.length} of ${statusCalls.calls} calls)`,
              ok: statusCalls.longestOutageMs < BACK_WITHIN_MS,
            }
          : {
              check: `${victim} killed: status calls`,
              figure: `${statusCalls.failures.length} of ${statusCalls.calls} unanswered`,
              ok: statusCalls.failures.length === 0,
            },
      );
    }
  } finally {
    const stopMs = await app.stop();
    checks.push({
      check: "stop (SIGTERM)",
      figure: stopMs === null ? "processes left after 10 s" : `all processes gone in ${seconds(stopMs)}`,
      ok: stopMs !== null && stopMs < 6_000,
    });
  }
  return checks;
}
