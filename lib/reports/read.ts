import { PassThrough, pipeline, type Readable } from "node:stream";
import DataLoader from "dataloader";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { visibleStores, type Scope } from "../auth/scope";
import { pool, streamPool } from "../db/pool";
import { AppError } from "../errors";
import { FIGURE_COLUMNS, REPORT_HEADER } from "../uptime";
import type { ReportSummary } from "../api/views/reports";
import { REPORT_ID_PATTERN } from "./create";

export type ReportStatus = ReportSummary["status"];

export interface ReportState {
  id: string;
  status: ReportStatus;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  asOf: string;
  asOfSource: string;
  storesTotal: number | null;
  storesDone: number;
  error: string | null;
  /** The owners whose stores it covers (a scoped caller's report); null: every store. */
  ownerIds: string[] | null;
}

/** Refuses ids that cannot be a report's: the API answers 400 for these, 404 for well-formed unknown ones. */
export function checkReportId(id: string | null | undefined): string {
  if (!id) throw new AppError("missing_report_id", 400, "report_id is required");
  if (!REPORT_ID_PATTERN.test(id)) throw new AppError("invalid_report_id", 400, `report_id ${JSON.stringify(id)} is not a report id`);
  return id;
}

/** The columns of `reports` as a ReportState, the as-of to the microsecond. */
export const REPORT_STATE_COLUMNS = `id, status, created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt",
  to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "asOf", as_of_source AS "asOfSource",
  stores_total AS "storesTotal", stores_done AS "storesDone", error, owner_ids AS "ownerIds"`;

const notFound = (id: string) => new AppError("report_not_found", 404, `no report with id ${id}`);

/** Whether `scope` may see a report: every report but those of other owners' callers, which cover none of its stores. */
export function seesReport(scope: Scope, report: Pick<ReportState, "ownerIds">): boolean {
  return scope.all || report.ownerIds === null || report.ownerIds.some((id) => scope.ownerIds.includes(id));
}

/** A report's state; 404 when there is none, or when `scope` (given) may not see it (as if there were none). */
export async function reportState(id: string, scope?: Scope, db: pg.Pool = pool()): Promise<ReportState> {
  checkReportId(id);
  const { rows } = await db.query(`SELECT ${REPORT_STATE_COLUMNS} FROM reports WHERE id = $1`, [id]);
  if (rows.length === 0 || (scope && !seesReport(scope, rows[0]))) throw notFound(id);
  return rows[0] as ReportState;
}

/** What a status answer needs of a report. */
export type ReportStatusFields = Pick<ReportState, "id" | "status" | "storesTotal" | "storesDone" | "error" | "ownerIds">;

// Status calls that arrive while a status query runs are answered together by the next query, which starts
// after all of them arrived: nobody is given a state older than their call, and any number of pollers, of one
// report or of many, cost one small query per database round trip instead of one each.
let statusQueryDone: Promise<unknown> = Promise.resolve();
const statusLoader = new DataLoader<string, ReportStatusFields | undefined>(
  async (ids) => {
    const query = pool().query<ReportStatusFields>({
      name: "report-statuses",
      text: `SELECT id, status, stores_total AS "storesTotal", stores_done AS "storesDone", error, owner_ids AS "ownerIds" FROM reports WHERE id = ANY($1)`,
      values: [ids],
    });
    statusQueryDone = query.catch(() => {});
    const byId = new Map((await query).rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id));
  },
  { cache: false, maxBatchSize: 1000, batchScheduleFn: (dispatch) => void statusQueryDone.then(() => setImmediate(dispatch)) },
);

/** A report's status and progress (what GET /get_report answers), read in batches with other callers'. */
export async function reportStatus(id: string, scope: Scope): Promise<ReportStatusFields> {
  checkReportId(id);
  const state = await statusLoader.load(id);
  if (!state || !seesReport(scope, state)) throw notFound(id);
  return state;
}

/** Share of the stores computed so far, from 0 to 1. */
export function reportProgress(r: Pick<ReportState, "status" | "storesTotal" | "storesDone">): number {
  if (r.status === "Complete") return 1;
  if (!r.storesTotal) return 0;
  return Math.min(1, r.storesDone / r.storesTotal);
}

/**
 * A text column as a CSV gives it (a store id; a name, an address, an owner in the spreadsheet). Spreadsheets run
 * a cell that begins with =, +, -, @, a tab or a carriage return as a formula (OWASP, "CSV injection"): such a
 * value is written with a leading apostrophe, which they show as text. Other values, every published store id
 * among them, are written as they are.
 */
export const spreadsheetSafe = (column: string) =>
  String.raw`CASE WHEN ${column} ~ '^[-=+@\t\r]' THEN '''' || ${column} ELSE ${column} END`;
const SPREADSHEET_SAFE_STORE_ID = spreadsheetSafe("store_id");

/**
 * The CSV of a complete report, streamed from the database in store order: PostgreSQL writes the rows
 * itself (COPY ... TO STDOUT), so the server never holds the report in memory. The COPY runs on one of
 * the few stream connections (streamPool), never on the connections status calls use; when none is free
 * within the connect timeout the download is refused with 503 downloads_busy. Destroying the returned
 * stream (the client went away, or stopped reading) stops the COPY on the server and frees the connection.
 * `signal`: the request's, so that a client gone while its download waited for a connection costs nothing.
 * Only the rows of the stores of `scope` are written (same header, same order).
 */
export async function reportCsv(id: string, scope: Scope, signal?: AbortSignal): Promise<Readable> {
  await completeReport(id, scope);
  // The id matched REPORT_ID_PATTERN (URL-safe base64 characters only), so it is safe inside the literal. The
  // order is the table's column, read in the primary key's order as the rows stream: a bare `store_id` would name
  // the first output column (the escaped id, which takes the column's name), and sort the whole report before the
  // first row (0.5 s at 360,000 stores, during which a client that left goes unnoticed).
  return copyCsv(
    `SELECT ${SPREADSHEET_SAFE_STORE_ID}, ${FIGURE_COLUMNS.join(", ")} FROM report_rows WHERE report_id = '${id}' AND ${visibleStores(scope)} ORDER BY report_rows.store_id`,
    `${REPORT_HEADER.join(",")}\n`,
    signal,
  );
}

/** A complete report's state as `scope` sees it; 409 while it runs or when it failed. */
export async function completeReport(id: string, scope: Scope): Promise<ReportState> {
  const state = await reportState(id, scope);
  if (state.status !== "Complete")
    throw new AppError("report_not_complete", 409, `report ${id} is ${state.status === "Failed" ? "Failed" : "not complete yet"}`);
  return state;
}

/**
 * The rows of `select` (a query with no parameters) as CSV after `head`, streamed from the database: PostgreSQL
 * writes them itself (COPY ... TO STDOUT) on one of the few stream connections, as reportCsv tells.
 */
export async function copyCsv(select: string, head: string, signal?: AbortSignal): Promise<Readable> {
  const client = await streamConnection();
  if (signal?.aborted) {
    client.release();
    throw new AppError("client_closed_request", 499, "the client went away before its download started");
  }
  const copy = client.query(copyTo(`COPY (${select}) TO STDOUT WITH (FORMAT csv)`));
  // Released once: back to the pool when the COPY is done, discarded with an error otherwise. Discarding a
  // connection whose query is still active makes pg destroy its socket, and the server ends the COPY at
  // once (it cannot send): a client that merely paused would otherwise leave it blocked mid-send for ever.
  let released = false;
  const release = (e?: Error) => {
    if (!released) client.release(e);
    released = true;
  };
  // pg hands the error of a lost connection to its query, this COPY stream, even after pipeline is done
  // with it: without a listener of its own that error would end the process.
  copy.on("error", (e) => release(e));
  const csv = new PassThrough();
  csv.write(head);
  // pipeline destroys the COPY when the CSV stream is destroyed by its consumer.
  pipeline(copy, csv, (e) => release(e ? new Error("COPY abandoned", { cause: e }) : undefined));
  return csv;
}

/** A stream connection, or 503 downloads_busy when every one is taken for the whole connect timeout. */
async function streamConnection() {
  try {
    return await streamPool().connect();
  } catch (e) {
    // pg-pool's words for "no connection came free in time" (not "the database cannot be reached").
    if (e instanceof Error && e.message === "timeout exceeded when trying to connect")
      throw new AppError("downloads_busy", 503, "every download connection is in use; try again shortly", undefined, {
        "Retry-After": String(DOWNLOADS_BUSY_RETRY_SECONDS),
      });
    throw e;
  }
}

/** Seconds a refused download is asked to wait: a download of a typical report takes well under one. */
const DOWNLOADS_BUSY_RETRY_SECONDS = 5;
