import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import Papa from "papaparse";
import { NotText, Utf8Lines } from "./utf8";
import { CsvBounds, TooLong } from "./bounds";
import { FEEDS, locateColumns, type FeedDefinition } from "./kinds";
import type { FeedKind } from "../api/views/feed-kinds";
import { typedRow, type FeedBatch, type FeedProblem, type FeedRow, type FeedSource } from "./rows";

/** A CSV file of a feed, read from the stream `open` gives (see `readFeed`). */
export function csvSource(name: string, kind: FeedKind, open: () => Readable): FeedSource {
  return { name, kind, batches: () => readFeed(open(), FEEDS[kind], name) };
}

/** What the text's own checks refuse before papaparse sees it: bytes that are not text, a field or row too long. */
const endsTheRead = (e: unknown): e is NotText | TooLong => e instanceof NotText || e instanceof TooLong;

/** A file with nothing in it (not even a header line); `label` names the feed it should be. */
export function emptyFileProblem(file: string, label: string): FeedProblem {
  return { file, line: 1, column: "(header)", value: "", message: `the file is empty; a ${label} file starts with a header line` };
}

/**
 * Reads a CSV feed as batches of validated rows (one per parsed chunk), in the order of `def.columns`. After the
 * first problem the rest is still checked, so that the refusal can say how many problems the file has, but
 * gives no more rows. The parser waits while a batch is consumed, and no field or row it is given can be longer than
 * its bound (CsvBounds), so memory stays flat whatever the file holds.
 */
export async function* readFeed(input: Readable, def: FeedDefinition, file: string): AsyncGenerator<FeedBatch> {
  let line = 0;
  let positions: number[] | null = null;
  let headerFields = 0;
  let headerRefused = false;
  let problemCount = 0;

  /** Validates the rows of one parsed chunk. */
  const validate = (chunk: string[][]): FeedBatch => {
    const batch: FeedBatch = { rows: [], read: 0, problems: [] };
    const problem = (p: Omit<FeedProblem, "file" | "line">) => batch.problems.push({ file, line, ...p });
    for (const cells of chunk) {
      line++;
      if (positions === null) {
        const located = locateColumns(def, cells);
        if (located.missing.length > 0) {
          // One problem, the header's, however many columns it lacks; no row is looked at.
          headerRefused = true;
          const names = located.missing.join(", ");
          problem({
            column: names,
            value: cells.join(","),
            message: `missing column${located.missing.length > 1 ? "s" : ""} ${names} in the header of a ${def.label} file`,
          });
          break;
        }
        positions = located.positions;
        headerFields = cells.length;
        continue;
      }
      if (cells.length === 1 && cells[0]!.trim() === "") continue; // blank line
      batch.read++;
      if (cells.length !== headerFields) {
        problem({
          column: "(row)",
          value: cells.join(","),
          message: `the row has ${cells.length} field${cells.length === 1 ? "" : "s"}; the header has ${headerFields}`,
        });
        continue;
      }
      const row: FeedRow | null = typedRow(
        def,
        positions.map((at) => cells[at]),
        (column, value, message) => problem({ column, value, message }),
      );
      if (row && problemCount + batch.problems.length === 0) batch.rows.push(row);
    }
    problemCount += batch.problems.length;
    if (problemCount > 0) batch.rows = [];
    return batch;
  };

  // papaparse's chunk mode is about 20x faster than its row-by-row stream. It is paused after each chunk until
  // the batch made of it has been consumed.
  const ready: FeedBatch[] = [];
  let finished = false;
  let paused = false;
  let failure: unknown = null;
  let wake = () => {};
  let parser = null as Papa.Parser | null; // (set in the chunk callback)
  const finish = () => {
    finished = true;
    wake();
  };

  const text = new CsvBounds();
  // Bytes that are not text, or a field or row over its bound, end the read with one problem where they start
  // (what follows cannot be trusted), in the chunk where they are met.
  pipeline(input, new Utf8Lines(), text).catch((e: unknown) => {
    if (endsTheRead(e)) {
      ready.push({ rows: [], read: 0, problems: [{ file, line: e.line, column: e.column, value: "", message: e.message }] });
      problemCount++;
      parser?.abort();
      finish();
    } else if (!finished) {
      failure = e;
      wake();
    }
  });
  Papa.parse(text as unknown as File, {
    delimiter: ",",
    newline: "\n", // Utf8Lines gives every line end as \n
    skipEmptyLines: false,
    chunk(results, p) {
      parser = p;
      if (finished) return;
      const malformed = results.errors.find((e) => e.type === "Quotes");
      if (malformed) {
        // A quote left open swallows the rest of the file into one field: nothing after it can be trusted.
        problemCount++;
        ready.push({
          rows: [],
          read: 0,
          problems: [
            {
              file,
              line: line + (malformed.row ?? 0) + 1,
              column: "(quotes)",
              value: "",
              message: "a quoted field is not closed (or a quote stands inside an unquoted field)",
            },
          ],
        });
        p.abort();
        return finish();
      }
      const batch = validate(results.data as string[][]);
      if (batch.read === 0 && batch.problems.length === 0) return; // no whole line yet, or blank lines
      ready.push(batch);
      if (headerRefused) {
        p.abort();
        return finish();
      }
      p.pause();
      paused = true;
      wake();
    },
    complete: finish,
    // The text stream's own failure reaches papaparse too; it is handled above.
    error: (e: Error) => {
      if (endsTheRead(e) || finished) return;
      failure = e;
      wake();
    },
  });

  try {
    for (;;) {
      const batch = ready.shift();
      if (batch) {
        yield batch;
        continue;
      }
      if (failure) throw failure;
      if (finished) break;
      if (paused) {
        paused = false;
        parser!.resume();
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (positions === null && problemCount === 0) yield { rows: [], read: 0, problems: [emptyFileProblem(file, def.label)] };
  } finally {
    if (!finished) parser?.abort();
    input.destroy();
  }
}
