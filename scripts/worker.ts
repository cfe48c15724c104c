// npm run worker: a report worker process. Run any number of them against one DATABASE_URL.
import { closePool } from "../lib/db/pool";
import { prepareDatabase } from "../lib/db/prepare";
import { startReportWorker } from "../lib/reports/worker";

const database = await prepareDatabase();
const stop = await startReportWorker();
console.log(`[worker] ${process.pid} taking report jobs`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await stop();
    await closePool();
    await database.stop();
    process.exit(0);
  });
