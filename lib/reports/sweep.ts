import { pool } from "../db/pool";
import { findJob, sendJob } from "../jobs/queue";
import { REPORT_QUEUE } from "../jobs/queues";
import { REPORT_LOCK_SQL } from "./state";

/** A report is given up after this many runs that ended without an answer (each, a worker that died). */
export const MAX_ATTEMPTS = 3;

/** How long a worker may hold a report's job before it must hold the report's lock too. */
const TAKEN_GRACE_MS = 5000;

/** Only one process sweeps at a time: the others find this session lock taken and skip their turn. */
const SWEEP_LOCK_SQL = "hashtextextended('report-sweep', 0)";

/**
 * Finds reports that are Queued or Running but that nobody is computing or about to compute, and queues
 * them again: a worker that died leaves its report Running with no lock held and its job still "active"
 * until the queue expires it. After MAX_ATTEMPTS such runs the report is marked Failed, so none stays
 * Running for ever. Returns the ids re-queued (none when another process is sweeping).
 */
export async function sweepOrphanedReports(): Promise<string[]> {
  const sweeper = await pool().connect();
  let broken: Error | undefined;
  try {
    const { rows: lock } = await sweeper.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${SWEEP_LOCK_SQL}) AS ok`);
    if (!lock[0]!.ok) return [];
    try {
      return await sweep(sweeper);
    } finally {
      await sweeper.query(`SELECT pg_advisory_unlock(${SWEEP_LOCK_SQL})`).catch((e: Error) => (broken = e));
    }
  } catch (e) {
    broken = e as Error;
    throw e;
  } finally {
    sweeper.release(broken);
  }
}

async function sweep(client: import("pg").PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ id: string; job_id: string | null; attempts: number; status: string }>(
    `SELECT id, job_id, attempts, status FROM reports
     WHERE status IN ('Queued', 'Running') AND created_at < now() - interval '2 seconds'
     ORDER BY created_at`,
  );
  const requeued: string[] = [];
  for (const report of rows) {
    const job = report.job_id ? await findJob(REPORT_QUEUE, report.job_id) : null;
    if (job && (job.state === "created" || job.state === "retry")) continue; // waiting for a worker
    // Between the job being taken and the lock being held (milliseconds), a worker has not locked it yet;
    // a report still Queued long after its job was taken lost its worker (or its database) in between.
    if (job?.state === "active" && report.status === "Queued" && Date.now() - job.startedOn.getTime() < TAKEN_GRACE_MS) continue;
    const { rows: lock } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${REPORT_LOCK_SQL}) AS ok`, [report.id]);
    if (!lock[0]!.ok) continue; // a live worker is computing it
    let giveUp: boolean;
    try {
      giveUp = report.attempts >= MAX_ATTEMPTS;
      if (giveUp)
        await client.query(
          `UPDATE reports SET status = 'Failed', finished_at = now(), error = $2 WHERE id = $1 AND status IN ('Queued', 'Running')`,
          [report.id, `the report could not be completed after ${report.attempts} attempts (its worker or the database stopped each time)`],
        );
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${REPORT_LOCK_SQL})`, [report.id]);
    }
    if (giveUp) continue;
    // Queued only once the lock is released: a worker that takes the job at once must find it free (and no
    // other process sweeps meanwhile, so the report is queued once).
    const jobId = await sendJob(REPORT_QUEUE, { reportId: report.id });
    await client.query("UPDATE reports SET job_id = $2 WHERE id = $1", [report.id, jobId]);
    requeued.push(report.id);
  }
  return requeued;
}

/**
 * Deletes Complete and Failed reports created more than `days` days ago, with their rows. Returns how many.
 * The queue runs it every hour (see worker.ts).
 */
export async function deleteExpiredReports(days: number): Promise<number> {
  const { rowCount } = await pool().query(
    `DELETE FROM reports WHERE status IN ('Complete', 'Failed') AND created_at < now() - make_interval(days => $1)`,
    [days],
  );
  return rowCount ?? 0;
}
