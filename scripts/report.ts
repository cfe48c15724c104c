// npm run report -- [--as-of <ISO 8601>] [--out <file>]: computes a report with the job code and writes its CSV.
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../lib/errors";
import { triggerReport } from "../lib/reports/create";
import { ALL_STORES } from "../lib/auth/scope";
import { reportCsv, reportState } from "../lib/reports/read";
import { runReport } from "../lib/reports/run";
import { commandArgs, runCommand, UsageError } from "./cli";

const usage = "usage: npm run report -- [--as-of <ISO 8601>] [--out <file>]";
const { values, positionals } = commandArgs({ "as-of": { type: "string" }, out: { type: "string" } }, usage);

await runCommand(async () => {
  const { "as-of": asOf, out } = values;
  if (positionals.length > 0) throw new UsageError(usage);
  const id = await triggerReport(asOf, { enqueue: false });
  const started = performance.now();
  const outcome = await runReport(id);
  // Another process (a worker's sweep) may hold it: wait for it to finish there.
  while (outcome === "running-elsewhere" && !["Complete", "Failed"].includes((await reportState(id)).status)) await sleep(200);
  const state = await reportState(id);
  if (state.status !== "Complete") throw new AppError("report_failed", 500, `report ${id} failed: ${state.error}`);
  await pipeline(await reportCsv(id, ALL_STORES), out ? fs.createWriteStream(out) : process.stdout);
  console.error(
    `report ${id}: ${state.storesTotal} stores as of ${state.asOf} (${state.asOfSource}) in ${((performance.now() - started) / 1000).toFixed(2)} s`,
  );
});
