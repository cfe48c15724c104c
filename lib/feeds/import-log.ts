import { prisma } from "../db/prisma";
import { pool } from "../db/pool";
import { AppError } from "../errors";
import { errorMessage, log } from "../log";
import { countFeed } from "../observability/metrics";
import type { FeedLoadResult, ImportEntry } from "../api/views/feeds";
import type { FeedRejection, FeedSource } from "./rows";

// The import log (import_log): one line per file loaded or refused, whoever sent it (db:load, an upload, the poll
// API), written here and read by the admin pages.

/** Records the files of a load that was written. */
export async function recordLoads(results: FeedLoadResult[], actor: string, startedAt: Date): Promise<void> {
  await pool().query(
    `INSERT INTO import_log (file_name, kind, actor, started_at, finished_at, rows_read, rows_added, rows_duplicate, outcome, message)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::int[], $8::int[], $9::text[], $10::text[])`,
    [
      results.map((r) => r.file),
      results.map((r) => r.kind),
      results.map(() => actor),
      results.map(() => startedAt),
      results.map(() => new Date()),
      results.map((r) => r.rowsRead),
      results.map((r) => r.rowsAdded),
      results.map((r) => r.rowsDuplicate),
      results.map(() => "loaded"),
      results.map((r) => (r.storesReplaced === undefined ? null : `replaced the rows of ${r.storesReplaced} stores`)),
    ],
  );
}

/** Records in the import log a file refused before it reached the loader (not CSV, unknown header, too large). */
export async function recordRefusedFile(file: string, kind: string, actor: string, message: string): Promise<void> {
  await pool()
    .query(`INSERT INTO import_log (file_name, kind, actor, finished_at, outcome, message) VALUES ($1, $2, $3, now(), 'rejected', $4)`, [
      file,
      kind,
      actor,
      message,
    ])
    .catch((logError) => log().error({ err: errorMessage(logError) }, "the import log could not be written"));
}

/** Records the files of a load that was refused, each with why (its own problems, or another file's). */
export async function recordRefusal(sources: FeedSource[], actor: string, startedAt: Date, e: unknown): Promise<void> {
  const rejection = e instanceof AppError && e.code === "invalid_feed" ? (e.details as FeedRejection) : null;
  const message = errorMessage(e);
  for (const source of sources) {
    const own = rejection === null || rejection.file === source.name;
    countFeed(source.kind, "refused", { refused: own && rejection ? rejection.problemCount : 0 });
    await pool()
      .query(
        `INSERT INTO import_log (file_name, kind, actor, started_at, finished_at, rows_rejected, outcome, message)
         VALUES ($1, $2, $3, $4, now(), $5, $6, $7)`,
        [
          source.name,
          source.kind,
          actor,
          startedAt,
          own && rejection ? rejection.problemCount : 0,
          own ? "rejected" : "not loaded",
          own ? message : `not loaded: ${rejection!.file} was refused`,
        ],
      )
      .catch((logError) => log().error({ err: errorMessage(logError) }, "the import log could not be written"));
  }
}

/** The import log, newest first. */
export async function importHistory(limit = 50): Promise<ImportEntry[]> {
  const entries = await prisma().importLog.findMany({ orderBy: { id: "desc" }, take: limit });
  return entries.map((e) => ({ ...e, startedAt: e.startedAt.toISOString(), finishedAt: e.finishedAt?.toISOString() ?? null }));
}
