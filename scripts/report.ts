// npm run report -- [--as-of <ISO 8601>] [--out <file>]: computes a report with the job code and writes its CSV.
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../lib/errors";
import { triggerReport } from "../lib/reports/create";
import { ALL_STORES } from "../lib/auth/scope";
import { reportCsv, reportState } from "../lib/reports/read";
import { runReport } from "../lib/reports/run";
import { parseArgs, runCommand, UsageError } from "./cli";

const { options, positional } = parseArgs(process.argv.slice(2));

await runCommand(async () => {
  const asOf = options.get("as-of");
  const out = options.get("out");
  if (positional.length > 0 || asOf === true || out === true)
    throw new UsageError("usage: npm run report -- [--as-of <ISO 8601>] [--out <file>]");
  const id = await triggerReport(asOf, { enqueue: false });
  const started = performance.now();
  let outcome = await runReport(id);
  // Another process (a worker's sweep) may hold it: wait for it to finish there.
  while (outcome === "running-elsewhere" && !["Complete", "Failed"].includes((await reportState(id)).status)) await sleep(200);
  const state = await reportState(id);
  if (state.status !== "Complete") throw new AppError("report_failed", 500, `report ${id} failed: ${state.error}`);
  await pipeline(await reportCsv(id, ALL_STORES), out ? fs.createWriteStream(out) : process.stdout);
  console.error(
    `report ${id}: ${state.storesTotal} stores as of ${state.asOf} (${state.asOfSource}) in ${((performance.now() - started) / 1000).toFixed(2)} s`,
  );
});
