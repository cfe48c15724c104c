import { inTransaction, streamPool } from "../db/pool";
import { FLEET_REFRESH_QUEUE } from "../jobs/queues";
import type { JobHandlers } from "../jobs/worker";
import { log } from "../log";
import { refreshStoreDays, type Refreshed } from "./store-days";

/**
 * Computes the days left stale by writers that do not refresh them (retention, a change made directly in the
 * database) and the poll API (which leaves them to this round, to compute many batches' at once). On a stream
 * connection: after a large change it may take minutes.
 */
export async function refreshStaleDays(): Promise<Refreshed> {
  const { rows } = await streamPool().query<{ stale: boolean }>("SELECT EXISTS (SELECT 1 FROM store_days_stale) AS stale");
  if (!rows[0]!.stale) return { stores: 0, days: 0 };
  return inTransaction(refreshStoreDays, "BEGIN", streamPool());
}

/** The fleet model's jobs: the minute's refresh of stale days. */
export const fleetJobs: JobHandlers = {
  [FLEET_REFRESH_QUEUE]: async () => {
    const { stores, days } = await refreshStaleDays();
    if (stores > 0) log().info({ stores, days }, "stale store days computed");
  },
};
