import type { Readable } from "node:stream";
import Papa from "papaparse";
import { locateColumns, type FeedDefinition } from "./kinds";

export interface FeedProblem {
  file: string;
  line: number;
  column: string;
  value: string;
  message: string;
}

export function describeProblem(p: FeedProblem): string {
  return `${p.file} line ${p.line}, column ${p.column}: ${p.message}${p.value === "" ? "" : ` (got ${JSON.stringify(p.value)})`}`;
}

/** How many problems a refusal lists; the total is always given. */
export const PROBLEMS_LISTED = 20;

export type FeedRow = (string | number)[];

export interface FeedReadResult {
  rowsRead: number;
  problems: FeedProblem[];
  problemCount: number;
}

/**
 * Streams a CSV feed, validating every row against `def`. Valid rows go to `onRows` in batches (one per parsed
 * chunk), in the order of `def.columns`, until the first problem; from then on the rest is only checked, so that the refusal can say
 * how many problems the file has. With `lineNumbers`, each row starts with its line number.
 * Memory stays flat in the size of the file.
 */
export async function readFeed(
  input: Readable,
  def: FeedDefinition,
  file: string,
  onRows: (rows: FeedRow[]) => Promise<void>,
  { lineNumbers = false } = {},
): Promise<FeedReadResult> {
  const problems: FeedProblem[] = [];
  let problemCount = 0;
  const problem = (p: Omit<FeedProblem, "file">) => {
    problemCount++;
    if (problems.length < PROBLEMS_LISTED) problems.push({ file, ...p });
  };

  let line = 0;
  let rowsRead = 0;
  let positions: number[] | null = null;

  /** Validates the rows of one parsed chunk; returns the valid ones while the file has no problem yet. */
  const validate = (chunk: string[][]): FeedRow[] | "stop" => {
    const valid: FeedRow[] = [];
    for (const cells of chunk) {
      line++;
      if (positions === null) {
        const located = locateColumns(def, cells);
        if (located.missing.length > 0) {
          for (const column of located.missing)
            problem({ line, column, value: cells.join(","), message: `missing column ${column} in the header of a ${def.label} file` });
          return "stop";
        }
        positions = located.positions;
        continue;
      }
      if (cells.length === 1 && cells[0]!.trim() === "") continue; // blank line
      rowsRead++;
      const row: FeedRow = lineNumbers ? [line] : [];
      let ok = true;
      for (let c = 0; c < def.columns.length; c++) {
        const column = def.columns[c]!;
        const raw = cells[positions[c]!];
        const value = raw === undefined ? null : column.parse(raw);
        if (value === null) {
          ok = false;
          problem({
            line,
            column: column.names[0]!,
            value: raw ?? "",
            message: raw === undefined ? `the row has only ${cells.length} fields` : `expected ${column.expected}`,
          });
        } else row.push(value);
      }
      if (ok && problemCount === 0) valid.push(row);
    }
    return problemCount === 0 ? valid : [];
  };

  // papaparse's chunk mode is about 20x faster than its row-by-row stream; pausing it while a chunk is
  // written gives back-pressure, so memory stays flat whatever the file's size.
  await new Promise<void>((resolve, reject) => {
    Papa.parse(input as unknown as File, {
      delimiter: ",",
      skipEmptyLines: false,
      chunk(results, parser) {
        const rows = validate(results.data as string[][]);
        if (rows === "stop") return parser.abort();
        if (rows.length === 0) return;
        parser.pause();
        onRows(rows).then(
          () => parser.resume(),
          (e) => {
            parser.abort();
            reject(e);
          },
        );
      },
      complete: () => resolve(),
      error: (e: Error) => reject(e),
    });
    input.on("error", reject);
  });
  if (positions === null && problemCount === 0)
    problem({ line: 1, column: "(header)", value: "", message: `the file is empty; a ${def.label} file starts with a header line` });
  return { rowsRead, problems, problemCount };
}
