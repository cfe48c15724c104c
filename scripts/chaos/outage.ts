// outage: during a report, PostgreSQL (i) stops (fast shutdown) for ~10 s and starts again, then (ii) hangs
// (every process of it SIGSTOPped) for ~10 s and goes on. While it is away every endpoint that needs it must
// answer 503 database_unavailable with Retry-After within 5 s, and liveness 200; once it is back, the
// interrupted report must end (Complete, or Failed with a message) and a new report complete, the app untouched.
import { setTimeout as sleep } from "node:timers/promises";
import { type ChaosDatabase, type Check, Launcher, loadedDatabase, seconds } from "./harness";

const DOWN_MS = 10_000;
const ANSWER_WITHIN_MS = 5_000;
const STOP_AFTER_MS = 200;

interface Probe {
  endpoint: string;
  ok: boolean;
  ms: number;
  answer: string;
}

/** One call to every endpoint, at once: each must answer 503 database_unavailable with Retry-After (liveness: 200). */
async function probeAll(app: Launcher, reportId: string): Promise<Probe[]> {
  const endpoints: [string, string][] = [
    ["GET", "/api/health/ready"],
    ["GET", `/get_report?report_id=${reportId}`],
    ["POST", "/trigger_report"],
    ["GET", "/api/reports"],
    ["GET", `/get_report_file/${reportId}`],
    ["GET", "/api/health/live"],
  ];
  return Promise.all(
    endpoints.map(async ([method, path]) => {
      const endpoint = `${method} ${path.replace(reportId, "<id>")}`;
      const started = Date.now();
      try {
        const response = await app.request(path, { method }, ANSWER_WITHIN_MS + 5_000);
        const body = await response.text();
        const ms = Date.now() - started;
        const answer = `${response.status} ${body.slice(0, 80)}${response.headers.has("retry-after") ? ` Retry-After: ${response.headers.get("retry-after")}` : ""}`;
        const code = (() => {
          try {
            return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
          } catch {
            return undefined;
          }
        })();
        const ok = path.endsWith("/live")
          ? response.status === 200
          : response.status === 503 && code === "database_unavailable" && response.headers.has("retry-after") && ms < ANSWER_WITHIN_MS;
        return { endpoint, ok, ms, answer };
      } catch (e) {
        return { endpoint, ok: false, ms: Date.now() - started, answer: (e as Error).message };
      }
    }),
  );
}

/** Takes the database away with `down`, probes every endpoint until DOWN_MS have passed, brings it back with `up`. */
async function outage(app: Launcher, name: string, reportId: string, down: () => Promise<void>, up: () => Promise<void>): Promise<Check[]> {
  const restartsBefore = app.restarts();
  const interrupted = await app.trigger();
  await sleep(STOP_AFTER_MS);
  const downAt = Date.now();
  await down();
  const probes: Probe[] = [];
  await sleep(1_000);
  while (Date.now() - downAt < DOWN_MS - ANSWER_WITHIN_MS) probes.push(...(await probeAll(app, reportId)));
  await sleep(Math.max(0, downAt + DOWN_MS - Date.now()));
  await up();
  const upAt = Date.now();
  const ended = await app.finished(interrupted);
  const endedMs = Date.now() - upAt;
  const nextAt = Date.now();
  const next = await app.finished(await app.trigger().catch(() => ""), 60_000);

  const restarts = app.restarts() - restartsBefore;
  const failed = probes.filter((p) => !p.ok);
  const slowest = Math.max(0, ...probes.filter((p) => !p.endpoint.endsWith("/live")).map((p) => p.ms));
  return [
    {
      check: `${name}: every endpoint 503 + Retry-After within 5 s, liveness 200`,
      figure: failed.length
        ? `${failed.length} of ${probes.length} calls wrong, e.g. ${failed[0]!.endpoint} -> ${failed[0]!.answer} in ${seconds(failed[0]!.ms)}`
        : `${probes.length} calls right, slowest ${seconds(slowest)}`,
      ok: probes.length > 0 && failed.length === 0,
    },
    {
      check: `${name}: the interrupted report`,
      figure: ended
        ? `${ended.status}${ended.error ? ` (${ended.error.slice(0, 100)})` : ""}, ${seconds(endedMs)} after the database came back`
        : "still Running 120 s after the database came back",
      ok: ended?.status === "Complete" || (ended?.status === "Failed" && !!ended.error),
    },
    {
      check: `${name}: the next report`,
      figure: next ? `${next.status} in ${seconds(Date.now() - nextAt)}` : "not finished within 60 s",
      ok: next?.status === "Complete",
    },
    {
      // The app rides out an outage: a process that dies of it (and is restarted by the launcher) is a bug.
      check: `${name}: web server and workers stayed up`,
      figure: restarts
        ? `the launcher restarted processes ${restarts} time(s): ${app.output.match(/"msg":"[^"]* restarting in [^"]*"/g)?.at(-1)}`
        : "no process died",
      ok: restarts === 0,
    },
  ];
}

export async function outages(db: ChaosDatabase): Promise<Check[]> {
  const url = await loadedDatabase(db, "storemon_chaos_outage");
  const app = await Launcher.start("outage", url, 2);
  const checks: Check[] = [];
  try {
    if ((await app.ready(2)) === null) throw new Error(`the app did not start:\n${app.output}`);
    const complete = await app.trigger();
    if ((await app.finished(complete))?.status !== "Complete") throw new Error("the first report did not complete");
    checks.push(
      ...(await outage(
        app,
        "stopped",
        complete,
        () => db.stop(),
        () => db.restart(),
      )),
      ...(await outage(
        app,
        "hung (SIGSTOP)",
        complete,
        async () => db.signalAll("SIGSTOP"),
        async () => db.signalAll("SIGCONT"),
      )),
    );
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
