import { once } from "node:events";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A value in PostgreSQL's COPY text format. */
function copyText(value: string | number | null): string {
  if (value === null) return "\\N";
  const s = String(value);
  return NEEDS_ESCAPE.test(s) ? s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r") : s;
}

export function copyLines(rows: readonly (readonly (string | number | null)[])[]): string {
  let out = "";
  for (const row of rows) out += row.map(copyText).join("\t") + "\n";
  return out;
}

/** A COPY ... FROM STDIN on `client` that takes rows in batches, honouring back-pressure. */
export class CopyIn {
  private readonly stream: ReturnType<typeof copyFrom>;
  private readonly done: Promise<void>;
  private failed = false;

  constructor(client: pg.ClientBase, table: string, columns: readonly string[]) {
    this.stream = client.query(copyFrom(`COPY ${table} (${columns.join(", ")}) FROM STDIN`));
    // once() rejects on 'error', so errors surface through write()/end() instead of an unhandled event.
    this.done = once(this.stream, "finish").then(() => {});
    this.done.catch(() => (this.failed = true));
  }

  async write(rows: readonly (readonly (string | number | null)[])[]): Promise<void> {
    if (!this.stream.write(copyLines(rows))) await Promise.race([once(this.stream, "drain"), this.done]);
  }

  /** Abandons the COPY (the server discards what it received). */
  async abort(reason: Error): Promise<void> {
    // A COPY that already failed (its connection lost) has nothing left to cancel: pg-copy-streams would
    // try to send CopyFail on a connection it no longer has, and throw.
    if (!this.failed) this.stream.destroy(reason);
    await this.done.catch(() => {});
  }

  async end(): Promise<void> {
    this.stream.end();
    await this.done;
  }
}
