import { Transform, type TransformCallback } from "node:stream";

/**
 * Where a feed stops being text: its line (from 1) and the offset of the first bad byte (from 0), with what is
 * wrong there: bytes that are not UTF-8, or a NUL (valid UTF-8, but no feed value may hold one, and PostgreSQL
 * refuses it in text).
 */
export class NotText extends Error {
  readonly column = "(bytes)";
  constructor(
    readonly line: number,
    readonly byteOffset: number,
    problem: "invalid UTF-8" | "a NUL byte",
  ) {
    super(`${problem === "a NUL byte" ? "a NUL byte" : "not UTF-8 text: invalid UTF-8"} at byte ${byteOffset}`);
    this.name = "NotText";
  }
}

/**
 * Decodes a byte stream as UTF-8 into text, a character split across two chunks included (a decoder per
 * chunk turned it into U+FFFD), refusing invalid UTF-8 and NUL bytes with the line and byte offset where they are. Line
 * ends come out as "\n" whatever they were ("\r\n", "\n", or a mix), so that the parser and the line numbers
 * it gives agree with what an editor shows.
 */
export class Utf8Lines extends Transform {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private bytesBefore = 0;
  private linesBefore = 0;
  private pendingCr = false;
  private tail: Buffer = Buffer.alloc(0); // the bytes of a character not complete yet, for locating a bad one

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      return done(this.locate(chunk));
    }
    const textStart = this.bytesBefore - this.tail.length; // the decoded text begins with the previous tail
    this.tail = incompleteTail(chunk.length >= 3 ? chunk : Buffer.concat([this.tail, chunk]));
    this.bytesBefore += chunk.length;
    const nul = text.indexOf("\0");
    if (nul === -1) {
      this.emitText(text);
      return done();
    }
    const before = text.slice(0, nul);
    this.emitText(before);
    done(new NotText(this.linesBefore + (this.pendingCr ? 2 : 1), textStart + Buffer.byteLength(before), "a NUL byte"));
  }

  override _flush(done: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode();
    } catch {
      return done(new NotText(this.linesBefore + 1, this.bytesBefore - this.tail.length, "invalid UTF-8"));
    }
    this.emitText(text);
    if (this.pendingCr) this.push("\n");
    done();
  }

  private emitText(text: string) {
    if (text === "") return;
    if (this.pendingCr) text = `\r${text}`;
    this.pendingCr = text.endsWith("\r");
    if (this.pendingCr) text = text.slice(0, -1);
    const normalised = text.replace(/\r\n?/g, "\n");
    for (let i = normalised.indexOf("\n"); i !== -1; i = normalised.indexOf("\n", i + 1)) this.linesBefore++;
    if (normalised !== "") this.push(normalised);
  }

  /** The first invalid byte of `chunk` (with the incomplete character before it), as an error. */
  private locate(chunk: Buffer): NotText {
    const bytes = Buffer.concat([this.tail, chunk]);
    const start = this.bytesBefore - this.tail.length;
    const bad = firstInvalidByte(bytes);
    let line = this.linesBefore + 1;
    for (let i = this.tail.length; i < bad; i++) if (bytes[i] === 0x0a) line++;
    return new NotText(line, start + bad, "invalid UTF-8");
  }
}

/** The trailing bytes of `bytes` that begin a character not complete yet. */
function incompleteTail(bytes: Buffer): Buffer {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.subarray(bytes.length - back) : Buffer.alloc(0);
  }
  return Buffer.alloc(0);
}

/** The offset of the first byte that starts no valid UTF-8 sequence (the length when all are valid). */
function firstInvalidByte(bytes: Buffer): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    if (i + length > bytes.length) return i; // cut off: only reached when the decoder already refused
    const decoded = new TextDecoder("utf-8", { fatal: true });
    try {
      decoded.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return bytes.length;
}
