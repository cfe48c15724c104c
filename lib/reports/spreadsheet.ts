import type { Readable } from "node:stream";
import { escapeIdentifier, escapeLiteral } from "pg";
import type { Scope } from "../auth/scope";
import { SPREADSHEET_HEADER, spreadsheetFigureHeader, type ReportRowsQuery } from "../api/views/reports";
import { FIGURES } from "../uptime/figures";
import { orderBy, rowsWhere, searchPattern } from "./list";
import { completeReport, copyCsv, spreadsheetSafe } from "./read";

// The report as people open it in a spreadsheet, beside the API's CSV (the contract, lib/reports/read.ts): each
// store's name, address and owner from the store directory, headers in words with their units, and the rows the
// report page shows (its subset, search and order), every one of them rather than a page.

/** The SQL of each of the spreadsheet's columns, by its header, over report_rows r and the store directory s. */
const VALUES: Record<string, string> = {
  "Store name": spreadsheetSafe("s.name"),
  Address: spreadsheetSafe("s.address"),
  Owner: spreadsheetSafe("(SELECT o.name FROM owners o WHERE o.id = s.owner_id)"),
  "Store id": spreadsheetSafe("r.store_id"),
  ...Object.fromEntries(FIGURES.map((f) => [spreadsheetFigureHeader(f), `r.${f.column}`])),
  "Uptime last week (%)": "r.uptime_percent_week",
  "Uptime last day (%)": "r.uptime_percent_day",
  "Last poll (UTC)": `to_char(r.last_poll_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`,
  Data: `CASE r.freshness WHEN 'no_data' THEN 'no poll in the week' WHEN 'stale' THEN 'stale' ELSE '' END`,
};

/** Excel reads a CSV as UTF-8 (names with accents) only when it begins with a byte-order mark. */
const BOM = "\uFEFF";

/** The period a report covers, for its file's name: store-uptime_2024-10-07_to_2024-10-14.csv for an as-of on 2024-10-14. */
export function spreadsheetName(asOf: string): string {
  const end = new Date(asOf);
  const start = new Date(end.getTime() - 7 * 24 * 3600 * 1000);
  return `store-uptime_${start.toISOString().slice(0, 10)}_to_${end.toISOString().slice(0, 10)}.csv`;
}

/**
 * A complete report's spreadsheet over the stores of `scope`: the rows GET /api/reports/<id>/rows gives for the
 * same subset, search and order, all of them, streamed from the database as the contract CSV is (COPY), so
 * 100,000 stores never sit in the server's memory. Its file name tells its period.
 */
export async function reportSpreadsheet(
  id: string,
  query: Pick<ReportRowsQuery, "sort" | "dir" | "q" | "only">,
  scope: Scope,
  signal?: AbortSignal,
): Promise<{ csv: Readable; filename: string }> {
  const state = await completeReport(id, scope);
  // The id matched REPORT_ID_PATTERN (checked by completeReport), so it is safe inside the literal; COPY takes no
  // parameters, so the search is a literal too. `name` in the order is the directory's (the output columns are
  // named for people, so no output column shadows an input one).
  const select = `SELECT ${SPREADSHEET_HEADER.map((header) => `${VALUES[header]} AS ${escapeIdentifier(header)}`).join(", ")}
    FROM report_rows r LEFT JOIN stores s USING (store_id)
    WHERE r.report_id = '${id}' AND ${rowsWhere(query, scope, escapeLiteral(searchPattern(query.q)))}
    ORDER BY ${orderBy(query.sort, query.dir)}`;
  const csv = await copyCsv(select, `${BOM}${SPREADSHEET_HEADER.join(",")}\n`, signal);
  return { csv, filename: spreadsheetName(state.asOf) };
}
