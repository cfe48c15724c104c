// npm run data:generate -- --stores N --days D --out <dir> [--seed S] [--end ISO]: deterministic sample feeds.
import { DEFAULT_END, generateFeeds } from "../lib/sample-data/generate";
import { commandArgs, positiveInteger, runCommand, UsageError } from "./cli";

const usage = "usage: npm run data:generate -- --stores N --days D --out <dir> [--seed S] [--end ISO-8601]";
const { values } = commandArgs(
  { stores: { type: "string" }, days: { type: "string" }, out: { type: "string" }, seed: { type: "string" }, end: { type: "string" } },
  usage,
);
const number = (name: "stores" | "days" | "seed", fallback?: number) => positiveInteger(name, values[name], fallback);

await runCommand(
  async () => {
    const { out, end: endRaw } = values;
    if (out === undefined) throw new UsageError(usage);
    const end = endRaw !== undefined ? new Date(endRaw) : DEFAULT_END;
    if (Number.isNaN(end.getTime())) throw new UsageError(`--end must be an ISO 8601 instant (got ${String(endRaw)})`);
    const started = performance.now();
    const counts = await generateFeeds({ stores: number("stores"), days: number("days"), seed: number("seed", 1), end }, out);
    console.log(
      `${out}: ${counts.stores} stores, ${counts.polls} polls, ${counts.hoursRows} business-hours rows, ` +
        `${counts.zoneRows} time zones in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  },
  { database: false },
);
