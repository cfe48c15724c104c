// starts: 20 starts of `npm start` (2 workers), each on a brand new database, so that the web server and the
// workers race to create the schema and the queue: each must come up with no process dying, complete a
// report, and stop on SIGTERM with every process gone within 6 s.
import { ensureDatabaseExists } from "../../lib/db/embedded";
import { withDatabase } from "../../lib/db/prepare";
import { type ChaosDatabase, type Check, Launcher, seconds } from "./harness";

const STARTS = 20;
const DATABASE = "storemon_chaos_start";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** What went wrong in one start, or null. */
async function startOnce(db: ChaosDatabase, i: number, times: { up: number[]; stop: number[] }): Promise<string | null> {
  // Brand new and not migrated: the launcher's processes make the schema.
  await db.query("postgres", `DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await ensureDatabaseExists(db.adminUrl, DATABASE);
  const app = await Launcher.start(`start-${i}`, withDatabase(db.adminUrl, DATABASE), 2);
  let problem: string | null = null;
  try {
    const upMs = await app.ready(2, 60_000);
    if (upMs === null) problem = "not up within 60 s";
    else {
      times.up.push(upMs);
      const result = await app.finished(await app.trigger(), 30_000);
      if (result?.status !== "Complete") problem = `report ${result ? `${result.status}: ${result.error}` : "not finished within 30 s"}`;
    }
    if (app.restarts() > 0) problem ??= `a process died and was restarted`;
  } catch (e) {
    problem = (e as Error).message;
  } finally {
    const stopMs = await app.stop();
    if (stopMs === null || stopMs > 6_000) problem ??= `stop took ${stopMs === null ? "over 10 s" : seconds(stopMs)}`;
    if (stopMs !== null) times.stop.push(stopMs);
  }
  // The processes' own words for it: the first error, e.g. `error: deadlock detected`, or how one died.
  const lines = app.output.split("\n");
  const said = lines.find((line) => /^\s*\w*error: /i.test(line)) ?? lines.find((line) => /exited with|killed by/.test(line));
  return problem && `${problem}${said ? ` (${said.trim().slice(0, 160)})` : ""}`;
}

export async function starts(db: ChaosDatabase): Promise<Check[]> {
  const times = { up: [] as number[], stop: [] as number[] };
  const problems: string[] = [];
  for (let i = 1; i <= STARTS; i++) {
    const problem = await startOnce(db, i, times);
    console.log(`[chaos] start ${i} of ${STARTS}: ${problem ?? "ok"}`);
    if (problem) problems.push(`start ${i}: ${problem}`);
  }
  return [
    {
      check: `${STARTS} starts on new databases`,
      figure: `${STARTS - problems.length} came up clean and completed a report`,
      ok: problems.length === 0,
    },
    {
      check: "start: up (health + workers taking jobs)",
      figure: `median ${seconds(median(times.up))}, max ${seconds(Math.max(0, ...times.up))}`,
      ok: true,
    },
    {
      check: "stop (SIGTERM): all processes gone",
      figure: `median ${seconds(median(times.stop))}, max ${seconds(Math.max(0, ...times.stop))}`,
      ok: true,
    },
    ...problems.map((p) => ({ check: "failed start", figure: p, ok: false })),
  ];
}
