import { Transform, type TransformCallback } from "node:stream";
import Papa from "papaparse";

/**
 * The longest field a feed may hold, in characters as written (quotes included). The longest value any feed
 * column takes is an address of 500 characters; the bound is far above that and far below what hurts.
 */
export const MAX_FIELD_CHARS = 64 * 1024;
/** The longest row, in characters as written (commas and quotes included, the line end not). */
export const MAX_ROW_CHARS = 1024 * 1024;

/** A field or row of a feed over its bound: its line (where it starts, from 1), the column, and what is wrong. */
export class TooLong extends Error {
  constructor(
    readonly line: number,
    readonly column: string,
    message: string,
  ) {
    super(message);
    this.name = "TooLong";
  }
}

// Where the guard is in the text, following papaparse's reading of quotes (see CsvBounds).
const FIELD_START = 0; // before a field's first character
const UNQUOTED = 1; // in a field that did not start with a quote: quotes in it are plain characters
const QUOTED = 2; // in a field that started with a quote
const QUOTE_SEEN = 3; // just after a quote in a quoted field: an escaped quote ("") or the field's end
const AFTER_QUOTE = 4; // after that quote and spaces: the field ends if a comma or line end comes next

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const SPACE = /\s/;

const figure = (n: number) => n.toLocaleString("en-US");

/** Where `search` next occurs in `text` from `from`, or the text's length. */
function indexOrEnd(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at === -1 ? text.length : at;
}

/**
 * Passes a feed's text (line ends already "\n", see Utf8Lines) through unchanged, and fails the stream with
 * `TooLong` in the chunk where a field passes MAX_FIELD_CHARS or a row MAX_ROW_CHARS. papaparse has no bound of
 * its own: an unfinished row is kept and parsed again, whole, with every chunk that follows, so a quote left
 * open would make it hold (and rescan) the rest of the input. With this guard before it, what papaparse holds
 * is bounded by a row and a chunk. The guard follows papaparse's rules for quotes: a field is quoted when its
 * first character is a quote; in it, "" is a quote, and a quote followed by spaces and a comma or line end
 * closes it; any other quote leaves it open (papaparse then reports malformed quotes, which refuses the file).
 */
export class CsvBounds extends Transform {
  private state = FIELD_START;
  private offset = 0; // characters before the current chunk
  private line = 1;
  private fieldStart = 0;
  private fieldLine = 1;
  private fieldQuoted = false;
  private fieldIndex = 0;
  private rowStart = 0;
  private rowLine = 1;
  private header: string[] | null = null; // the first row's fields, to name a column
  private headerText = "";

  constructor(private readonly limits = { field: MAX_FIELD_CHARS, row: MAX_ROW_CHARS }) {
    super({ objectMode: true });
  }

  override _transform(text: string, _encoding: BufferEncoding, done: TransformCallback): void {
    const n = text.length;
    // Unquoted text is crossed a field at a time (as papaparse does, with indexOf): the next comma and line end.
    let nextComma = -1;
    let nextLf = -1;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      if (this.state === FIELD_START && c === QUOTE) {
        this.state = QUOTED;
        this.fieldQuoted = true;
        continue;
      }
      if (this.state === FIELD_START || this.state === UNQUOTED) {
        if (nextComma < i) nextComma = indexOrEnd(text, ",", i);
        if (nextLf < i) nextLf = indexOrEnd(text, "\n", i);
        i = Math.min(nextComma, nextLf);
        if (i === n) {
          this.state = UNQUOTED;
          break;
        }
        c = text.charCodeAt(i);
      } else if (this.state === QUOTED) {
        const quote = indexOrEnd(text, '"', i);
        for (let lf = text.indexOf("\n", i); lf !== -1 && lf < quote; lf = text.indexOf("\n", lf + 1)) this.line++;
        i = quote;
        if (quote < n) this.state = QUOTE_SEEN;
        continue;
      } else if (c === QUOTE) {
        this.state = this.state === QUOTE_SEEN ? QUOTED : QUOTE_SEEN; // "" is a quote; after spaces, maybe the end
        continue;
      } else if (c !== COMMA && c !== LF) {
        this.state = SPACE.test(text[i]!) ? AFTER_QUOTE : QUOTED; // anything else: papaparse keeps the field open
        continue;
      }
      // The end of a field, and with a line end of its row.
      const at = this.offset + i;
      const problem = this.fieldProblem(at) ?? (c === LF ? this.rowProblem(at) : null);
      if (problem) return done(problem);
      if (c === LF) {
        if (this.header === null) this.header = this.headerFields(text.slice(0, i));
        this.line++;
        this.rowStart = at + 1;
        this.rowLine = this.line;
        this.fieldIndex = 0;
      } else this.fieldIndex++;
      this.fieldStart = at + 1;
      this.fieldLine = this.line;
      this.fieldQuoted = false;
      this.state = FIELD_START;
    }
    this.offset += n;
    if (this.header === null) this.headerText += text;
    done(this.fieldProblem(this.offset) ?? this.rowProblem(this.offset), text);
  }

  /** The refusal of the current field when, ending before `at`, it is longer than its bound. */
  private fieldProblem(at: number): TooLong | null {
    if (at - this.fieldStart <= this.limits.field) return null;
    const open = this.fieldQuoted ? " (it starts with a quote: is its closing quote missing?)" : "";
    return new TooLong(
      this.fieldLine,
      this.columnName(),
      `the field is longer than the limit of ${figure(this.limits.field)} characters${open}`,
    );
  }

  /** The refusal of the current row when, ending before `at`, it is longer than its bound. */
  private rowProblem(at: number): TooLong | null {
    if (at - this.rowStart <= this.limits.row) return null;
    return new TooLong(this.rowLine, "(row)", `the row is longer than the limit of ${figure(this.limits.row)} characters`);
  }

  /** The header's name for the current field: "(header)" in the header itself, "(field N)" past its columns. */
  private columnName(): string {
    if (this.header === null) return "(header)";
    return this.header[this.fieldIndex]?.trim() || `(field ${this.fieldIndex + 1})`;
  }

  /** The header's fields, from its text so far and its last part. */
  private headerFields(lastPart: string): string[] {
    const text = (this.headerText + lastPart).replace(/^\uFEFF/, "");
    this.headerText = "";
    return (Papa.parse<string[]>(text, { delimiter: ",", newline: "\n" }).data[0] ?? []).map(String);
  }
}
