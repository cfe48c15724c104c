// npm run chaos -- [kill|starts|outage|disk|failover]: the slow fault scenarios, against the production build (the
// npm script builds first) and the real launcher, on a PostgreSQL of their own (EMBEDDED_PG_PORT + 3), or for
// failover on a replicated cluster of their own (.data/chaos-cluster). Prints a table of checks and figures; exits
// non-zero when any check fails. Without a name every scenario but failover runs. Scenarios: scripts/chaos/.
import os from "node:os";
import { ChaosDatabase, type Check, LOG_DIR } from "./chaos/harness";
import { disk } from "./chaos/disk";
import { failover } from "./chaos/failover";
import { kill } from "./chaos/kill";
import { outages } from "./chaos/outage";
import { starts } from "./chaos/starts";

// The embedded scenarios share one PostgreSQL, started when the first of them runs.
let embedded: Promise<ChaosDatabase> | undefined;
const database = () => (embedded ??= ChaosDatabase.start());
const onEmbedded = (scenario: (db: ChaosDatabase) => Promise<Check[]>) => async () => scenario(await database());
const SCENARIOS: Record<string, () => Promise<Check[]>> = {
  kill: onEmbedded(kill),
  starts: onEmbedded(starts),
  outage: onEmbedded(outages),
  disk: onEmbedded(disk),
  failover,
};
const BY_DEFAULT = ["kill", "starts", "outage", "disk"];

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in SCENARIOS));
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(", ")}; choose from ${Object.keys(SCENARIOS).join(", ")}`);
  process.exit(2);
}

const results: (Check & { scenario: string })[] = [];
try {
  for (const scenario of chosen.length ? chosen : BY_DEFAULT) {
    console.log(`[chaos] ${scenario} ...`);
    const started = Date.now();
    try {
      results.push(...(await SCENARIOS[scenario]!()).map((check) => ({ scenario, ...check })));
    } catch (e) {
      results.push({ scenario, check: "ran to the end", figure: (e as Error).stack ?? String(e), ok: false });
    }
    console.log(`[chaos] ${scenario}: ${Math.round((Date.now() - started) / 1000)} s`);
  }
} finally {
  if (embedded) await (await embedded).stop();
}

console.log(`\n${os.cpus().length} cores, ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.table(results.map(({ scenario, check, figure, ok }) => ({ scenario, check, figure, result: ok ? "pass" : "FAIL" })));
const failed = results.filter((r) => !r.ok).length;
console.log(`${failed ? `${failed} check(s) failed` : "every check passed"}; the launchers' output is in ${LOG_DIR}/`);
process.exit(failed ? 1 : 0);
