import { alertJobs } from "../alerts/jobs";
import { fleetJobs } from "../fleet/jobs";
import { startJobs } from "../jobs/worker";
import { reportJobs, startSweeping } from "../reports/jobs";

/**
 * A worker process's work: every feature's jobs on the job runtime, and the sweep for reports whose worker died.
 * Returns a function that stops it.
 */
export async function startWorker(): Promise<() => Promise<void>> {
  const stopJobs = await startJobs({ ...reportJobs, ...alertJobs, ...fleetJobs });
  const stopSweeping = startSweeping();
  return async () => {
    await stopSweeping();
    await stopJobs();
  };
}
