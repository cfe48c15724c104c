import { pool } from "../db/pool";

export interface ImportEntry {
  id: number;
  fileName: string;
  kind: string;
  actor: string;
  startedAt: string;
  finishedAt: string | null;
  rowsRead: number;
  rowsAdded: number;
  rowsDuplicate: number;
  rowsRejected: number;
  outcome: string;
  message: string | null;
}

/** The import log, newest first. */
export async function importHistory(limit = 50): Promise<ImportEntry[]> {
  const { rows } = await pool().query(
    `SELECT id, file_name AS "fileName", kind, actor, started_at AS "startedAt", finished_at AS "finishedAt",
            rows_read AS "rowsRead", rows_added AS "rowsAdded", rows_duplicate AS "rowsDuplicate",
            rows_rejected AS "rowsRejected", outcome, message
     FROM import_log ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null }));
}
