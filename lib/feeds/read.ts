import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import Papa from "papaparse";
import { InvalidUtf8, Utf8Lines } from "./utf8";
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
  let headerFields = 0;

  /** Validates the rows of one parsed chunk; returns the valid ones while the file has no problem yet. */
  const validate = (chunk: string[][]): FeedRow[] | "stop" => {
    const valid: FeedRow[] = [];
    for (const cells of chunk) {
      line++;
      if (positions === null) {
        const located = locateColumns(def, cells);
        if (located.missing.length > 0) {
          // One problem, the header's, however many columns it lacks: the rows were not looked at.
          const names = located.missing.join(", ");
          problem({ line, column: names, value: cells.join(","), message: `missing column${located.missing.length > 1 ? "s" : ""} ${names} in the header of a ${def.label} file` });
          return "stop";
        }
        positions = located.positions;
        headerFields = cells.length;
        continue;
      }
      if (cells.length === 1 && cells[0]!.trim() === "") continue; // blank line
      rowsRead++;
      if (cells.length !== headerFields) {
        problem({ line, column: "(row)", value: cells.join(","), message: `the row has ${cells.length} field${cells.length === 1 ? "" : "s"}; the header has ${headerFields}` });
        continue;
      }
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
  const text = new Utf8Lines();
  await new Promise<void>((resolve, reject) => {
    let parserOf: Papa.Parser | null = null;
    // Bytes that are not UTF-8 end the read with one problem where they start (the rest is not text).
    pipeline(input, text).catch((e: unknown) => {
      if (!(e instanceof InvalidUtf8)) return reject(e);
      problem({ line: e.line, column: "(bytes)", value: "", message: `not UTF-8 text: ${e.message}` });
      parserOf?.abort();
      resolve();
    });
    Papa.parse(text as unknown as File, {
      delimiter: ",",
      newline: "\n", // Utf8Lines gives every line end as \n
      skipEmptyLines: false,
      chunk(results, parser) {
        parserOf = parser;
        const malformed = results.errors.find((e) => e.type === "Quotes");
        if (malformed) {
          // A quote left open swallows the rest of the file into one field: nothing after it can be trusted.
          problem({ line: line + (malformed.row ?? 0) + 1, column: "(quotes)", value: "", message: "a quoted field is not closed (or a quote stands inside an unquoted field)" });
          return parser.abort();
        }
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
      // Bad UTF-8 reaches papaparse too (an error of its stream): it is a problem, told above.
      error: (e: Error) => (e instanceof InvalidUtf8 ? undefined : reject(e)),
    });
  });
  if (positions === null && problemCount === 0)
    problem({ line: 1, column: "(header)", value: "", message: `the file is empty; a ${def.label} file starts with a header line` });
  return { rowsRead, problems, problemCount };
}
