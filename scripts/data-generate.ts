// npm run data:generate -- --stores N --days D --out <dir> [--seed S] [--end ISO]: deterministic sample feeds.
import { DEFAULT_END, generateFeeds } from "../lib/sample-data/generate";
import { parseArgs, runCommand, UsageError } from "./cli";

const { options } = parseArgs(process.argv.slice(2));
const usage = "usage: npm run data:generate -- --stores N --days D --out <dir> [--seed S] [--end ISO-8601]";

function positiveInteger(name: string, fallback?: number): number {
  const raw = options.get(name);
  if (raw === undefined && fallback !== undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== "string" || !Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer (got ${String(raw)})\n${usage}`);
  return n;
}

await runCommand(
  async () => {
    const out = options.get("out");
    if (typeof out !== "string") throw new UsageError(usage);
    const endRaw = options.get("end");
    const end = typeof endRaw === "string" ? new Date(endRaw) : DEFAULT_END;
    if (Number.isNaN(end.getTime())) throw new UsageError(`--end must be an ISO 8601 instant (got ${String(endRaw)})`);
    const started = performance.now();
    const counts = await generateFeeds(
      { stores: positiveInteger("stores"), days: positiveInteger("days"), seed: positiveInteger("seed", 1), end },
      out,
    );
    console.log(
      `${out}: ${counts.stores} stores, ${counts.polls} polls, ${counts.hoursRows} business-hours rows, ` +
        `${counts.zoneRows} time zones in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  },
  { database: false },
);
