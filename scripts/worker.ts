// npm run worker: a report worker process. Run any number of them against one DATABASE_URL.
import os from "node:os";
import { closePool, setDatabaseRole } from "../lib/db/pool";
import { prepareDatabase } from "../lib/db/prepare";
import { markStopping, survivePromisesLostToOutages } from "../lib/db/shutdown";
import { startReportWorker } from "../lib/reports/worker";

// Reports are background work: at a lower CPU priority, a worker leaves the web server (and the status
// calls clients poll) responsive on a machine whose cores it keeps busy.
os.setPriority(10);
setDatabaseRole("worker");
survivePromisesLostToOutages("worker");

const database = await prepareDatabase();
const stop = await startReportWorker();
console.log(`[worker] ${process.pid} taking report jobs`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    markStopping();
    await stop();
    await closePool();
    await database.stop();
    process.exit(0);
  });
