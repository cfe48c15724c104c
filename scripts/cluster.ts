// npm run cluster -- up | down | status: a replicated PostgreSQL on this machine's loopback (scripts/cluster/local.ts,
// from the deployment example in deploy/). `up` prints the app's settings on lines of their own:
//   DATABASE_URL=...       the leader, through HAProxy
//   DATABASE_READ_URL=...  the replicas, through HAProxy
//   PATRONI_API=...        one member's REST API
import { execFileSync } from "node:child_process";
import { LocalCluster, MEMBERS } from "./cluster/local";

const usage = "usage: npm run cluster -- up | down | status";
const [command, ...rest] = process.argv.slice(2);
if (!["up", "down", "status"].includes(command ?? "") || rest.length) {
  console.error(usage);
  process.exit(2);
}

const cluster = new LocalCluster();
try {
  if (command === "up") {
    await cluster.up();
    const { DATABASE_URL, DATABASE_READ_URL, PATRONI_API } = cluster.urls();
    console.log(`the cluster runs (data, logs and configuration in ${cluster.dir}):`);
    console.log(`DATABASE_URL=${DATABASE_URL}`);
    console.log(`DATABASE_READ_URL=${DATABASE_READ_URL}`);
    console.log(`PATRONI_API=${PATRONI_API}`);
  } else if (command === "down") {
    await cluster.down();
    console.log(`the cluster is stopped; its data stays in ${cluster.dir} (delete it to start afresh)`);
  } else {
    if (!cluster.running()) {
      console.log(`the cluster does not run (npm run cluster -- up)`);
      process.exit(1);
    }
    // patronictl's table: each member, its role (Leader, Sync Standby, Replica), state, timeline and lag.
    process.stdout.write(execFileSync("patronictl", ["-c", `${cluster.dir}/${MEMBERS[0]}.yml`, "list"]).toString());
    const { DATABASE_URL, DATABASE_READ_URL, PATRONI_API } = cluster.urls();
    console.log(`HAProxy: ${cluster.pid("haproxy") ? `runs (its page: http://127.0.0.1:${cluster.statsPort}/)` : "does not run"}`);
    console.log(`DATABASE_URL=${DATABASE_URL}\nDATABASE_READ_URL=${DATABASE_READ_URL}\nPATRONI_API=${PATRONI_API}`);
  }
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
