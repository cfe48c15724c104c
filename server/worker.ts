// npm run worker: a report worker process. Run any number of them against one DATABASE_URL.
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { isDatabaseUnavailable, noteDatabaseUnavailable } from "../lib/db/availability";
import { closePool, setDatabaseRole } from "../lib/db/pool";
import { prepareDatabase, type PreparedDatabase } from "../lib/db/prepare";
import { createQueues } from "../lib/jobs/queue";
import { markStopping, survivePromisesLostToOutages } from "../lib/db/shutdown";
import { startWorker } from "../lib/worker/jobs";
import { log, setLogRole } from "../lib/log";
import { publishMetrics } from "../lib/observability/publish";

// Reports are background work: at a lower CPU priority, a worker leaves the web server (and the status
// calls clients poll) responsive on a machine whose cores it keeps busy.
os.setPriority(10);
setDatabaseRole("worker");
setLogRole("worker");
survivePromisesLostToOutages("worker");

/** What this worker started, stopped in turn on a signal (whatever of it has started by then). */
const started: { database?: PreparedDatabase; stop?: () => Promise<void>; stopPublishing?: () => Promise<void> } = {};
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    markStopping();
    await started.stop?.();
    await started.stopPublishing?.();
    await closePool();
    await started.database?.stop();
    process.exit(0);
  });

/** A worker started while its database is away waits for it (saying so once), rather than exiting. */
async function whenDatabaseAnswers<T>(step: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await step();
    } catch (e) {
      if (!isDatabaseUnavailable(e) || stopping) throw e;
      noteDatabaseUnavailable(e, "start");
      await sleep(1000);
    }
  }
}

started.database = await whenDatabaseAnswers(() => prepareDatabase(createQueues));
started.stop = await whenDatabaseAnswers(startWorker);
started.stopPublishing = publishMetrics("worker");
log().info(`worker ${process.pid} taking report jobs`);
