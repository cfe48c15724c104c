import type { FeedDefinition } from "./kinds";
import type { FeedKind } from "../api/views/feed-kinds";

/** A poll, as the loader stores it: store id, UTC timestamp (PostgreSQL text), status. */
export type PollRow = [storeId: string, timestampUtc: string, status: "active" | "inactive"];
/** A store's opening on one day: store id, day (0 = Monday), local start and end times. */
export type BusinessHoursRow = [storeId: string, dayOfWeek: number, start: string, end: string];
/** A store's IANA time zone. */
export type TimeZoneRow = [storeId: string, timeZone: string];
/** A store's directory entry: id, name, address, and the slug of its owner. */
export type StoreRow = [storeId: string, name: string, address: string | null, owner: string | null];
export type FeedRow = PollRow | BusinessHoursRow | TimeZoneRow | StoreRow;

/** One refused value, or a refused line or item as a whole (`column` then says what, in parentheses). */
export interface FeedProblem {
  /** The file, or the request, the rows came from. */
  file: string;
  /** Where: a line of a CSV file (from 1), or an item of a JSON array (from 0). */
  line?: number;
  item?: number;
  column: string;
  value: string;
  message: string;
}

export function describeProblem(p: FeedProblem): string {
  const where = p.item === undefined ? `line ${p.line}, column ${p.column}` : `item ${p.item}, field ${p.column}`;
  return `${p.file} ${where}: ${p.message}${p.value === "" ? "" : ` (got ${JSON.stringify(p.value)})`}`;
}

/** How many problems a refusal lists; the total is always given. */
export const PROBLEMS_LISTED = 20;

/**
 * What a source gives the loader at a time: the valid rows it read (none once it found a problem, since the
 * load is refused then), how many rows it read, and the problems it found in them.
 */
export interface FeedBatch {
  rows: FeedRow[];
  read: number;
  problems: FeedProblem[];
}

/** Where the loader takes a feed's rows from: a CSV file (`csvSource`) or records (`recordsSource`). */
export interface FeedSource {
  /** The name shown in messages and the import log (a file name, or the request). */
  name: string;
  kind: FeedKind;
  batches(): AsyncIterable<FeedBatch>;
}

/**
 * The typed row of one record whose raw values are given in the feed's column order, or null when any value
 * is invalid, after telling `refuse` about each.
 */
export function typedRow(
  def: FeedDefinition,
  values: readonly (string | undefined)[],
  refuse: (column: string, value: string, message: string) => void,
): FeedRow | null {
  const row: (string | number | null)[] = [];
  for (let c = 0; c < def.columns.length; c++) {
    const column = def.columns[c]!;
    const raw = values[c];
    if (column.optional && (raw === undefined || raw.trim() === "")) {
      row.push(null);
      continue;
    }
    const value = raw === undefined ? null : column.parse(raw);
    if (value === null) refuse(column.names[0]!, raw ?? "", raw === undefined ? "missing" : `expected ${column.expected}`);
    else row.push(value);
  }
  return row.length === def.columns.length ? (row as FeedRow) : null;
}

/**
 * Records given in memory (the items of a JSON request), each a map from a feed's canonical column names to
 * raw values, validated by the same rules as a file's rows; problems name the item (from 0) and the field.
 */
export function recordsSource(
  name: string,
  def: FeedDefinition,
  records: readonly Readonly<Record<string, string | undefined>>[],
): FeedSource {
  return {
    name,
    kind: def.kind,
    async *batches() {
      const rows: FeedRow[] = [];
      const problems: FeedProblem[] = [];
      records.forEach((record, item) => {
        const row = typedRow(
          def,
          def.columns.map((c) => record[c.names[0]!]),
          (column, value, message) => problems.push({ file: name, item, column, value, message }),
        );
        if (row && problems.length === 0) rows.push(row);
      });
      yield { rows: problems.length === 0 ? rows : [], read: records.length, problems };
    },
  };
}

/** Every problem of a refused load: the first few (PROBLEMS_LISTED) and the total. */
export interface FeedRejection {
  file: string;
  problems: FeedProblem[];
  problemCount: number;
}
