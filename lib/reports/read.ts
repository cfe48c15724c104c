import { Readable } from "node:stream";
import DataLoader from "dataloader";
import { to as copyTo } from "pg-copy-streams";
import { pool } from "../db/pool";
import { AppError } from "../errors";
import { REPORT_HEADER } from "../uptime";
import { REPORT_ID_PATTERN } from "./create";
import { FIGURE_COLUMNS } from "./shard";

export type ReportStatus = "Queued" | "Running" | "Complete" | "Failed";

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
  stores_total AS "storesTotal", stores_done AS "storesDone", error`;

export async function reportState(id: string): Promise<ReportState> {
  checkReportId(id);
  const { rows } = await pool().query(`SELECT ${REPORT_STATE_COLUMNS} FROM reports WHERE id = $1`, [id]);
  if (rows.length === 0) throw new AppError("report_not_found", 404, `no report with id ${id}`);
  return rows[0] as ReportState;
}

/** What a status answer needs of a report. */
export type ReportStatusFields = Pick<ReportState, "id" | "status" | "storesTotal" | "storesDone" | "error">;

// Status calls that arrive while a status query runs are answered together by the next query, which starts
// after all of them arrived: nobody is given a state older than their call, and any number of pollers, of one
// report or of many, cost one small query per database round trip instead of one each.
let statusQueryDone: Promise<unknown> = Promise.resolve();
const statusLoader = new DataLoader<string, ReportStatusFields | undefined>(
  async (ids) => {
    const query = pool().query<ReportStatusFields>({
      name: "report-statuses",
      text: `SELECT id, status, stores_total AS "storesTotal", stores_done AS "storesDone", error FROM reports WHERE id = ANY($1)`,
      values: [ids],
    });
    statusQueryDone = query.catch(() => {});
    const byId = new Map((await query).rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id));
  },
  { cache: false, maxBatchSize: 1000, batchScheduleFn: (dispatch) => void statusQueryDone.then(() => setImmediate(dispatch)) },
);

/** A report's status and progress (what GET /get_report answers), read in batches with other callers'. */
export async function reportStatus(id: string): Promise<ReportStatusFields> {
  checkReportId(id);
  const state = await statusLoader.load(id);
  if (!state) throw new AppError("report_not_found", 404, `no report with id ${id}`);
  return state;
}

/** Share of the stores computed so far, from 0 to 1. */
export function reportProgress(r: Pick<ReportState, "status" | "storesTotal" | "storesDone">): number {
  if (r.status === "Complete") return 1;
  if (!r.storesTotal) return 0;
  return Math.min(1, r.storesDone / r.storesTotal);
}

/**
 * The CSV of a complete report, streamed from the database in store order: PostgreSQL writes the rows
 * itself (COPY ... TO STDOUT), so the server never holds the report in memory.
 */
export async function reportCsv(id: string): Promise<Readable> {
  const state = await reportState(id);
  if (state.status !== "Complete")
    throw new AppError("report_not_complete", 409, `report ${id} is ${state.status === "Failed" ? "Failed" : "not complete yet"}`);
  const client = await pool().connect();
  // The id matched REPORT_ID_PATTERN (URL-safe base64 characters only), so it is safe inside the literal.
  const copy = client.query(
    copyTo(
      `COPY (SELECT store_id, ${FIGURE_COLUMNS.join(", ")} FROM report_rows WHERE report_id = '${id}' ORDER BY store_id)
       TO STDOUT WITH (FORMAT csv)`,
    ),
  );
  // A download the client abandons leaves the connection mid-COPY: the pool then discards it.
  let released = false;
  const release = (e?: Error) => {
    if (!released) client.release(e);
    released = true;
  };
  copy.on("end", () => release());
  copy.on("error", (e) => release(e));
  copy.on("close", () => release(new Error("COPY abandoned")));
  const header = Readable.from([`${REPORT_HEADER.join(",")}\n`]);
  return Readable.from(
    (async function* () {
      yield* header;
      yield* copy;
    })(),
  );
}
