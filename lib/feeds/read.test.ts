import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { MAX_FIELD_CHARS, MAX_ROW_CHARS } from "./bounds";
import { detectFeedKind, FEEDS } from "./kinds";
import type { FeedKind } from "../api/views/feed-kinds";
import { readFeed } from "./read";
import { describeProblem, PROBLEMS_LISTED, type FeedProblem, type FeedRow } from "./rows";

/** Reads `content` (in chunks of `chunkBytes`, or one chunk; or the chunks given) as a feed of `kind`. */
async function read(kind: FeedKind, content: string | Buffer | Iterable<Buffer>, chunkBytes = 0) {
  const rows: FeedRow[] = [];
  const bytes = typeof content === "string" || Buffer.isBuffer(content) ? Buffer.from(content) : null;
  const chunks = !bytes
    ? content
    : chunkBytes
      ? Array.from({ length: Math.ceil(bytes.length / chunkBytes) }, (_, i) => bytes.subarray(i * chunkBytes, (i + 1) * chunkBytes))
      : [bytes];
  const problems: FeedProblem[] = [];
  let rowsRead = 0;
  for await (const batch of readFeed(Readable.from(chunks), FEEDS[kind], "feed.csv")) {
    rows.push(...batch.rows);
    problems.push(...batch.problems);
    rowsRead += batch.read;
  }
  const listed = problems.slice(0, PROBLEMS_LISTED);
  return { rows, rowsRead, problems: listed, problemCount: problems.length, messages: listed.map(describeProblem) };
}

describe("accepted formats", () => {
  it("keeps a character split across two chunks whole (magasin-\u00e9\u00e8\u00ea\u00eb-003541)", async () => {
    const id = "magasin-\u00e9\u00e8\u00ea\u00eb-003541";
    const content = `store_id,timezone_str\n${id},Europe/Paris\n`;
    for (let chunkBytes = 1; chunkBytes <= 8; chunkBytes++) {
      const r = await read("time_zones", content, chunkBytes);
      expect(r.problemCount).toBe(0);
      expect(r.rows).toEqual([[id, "Europe/Paris"]]);
    }
  });

  it("takes a header ending in CRLF and lines ending in LF, with the right line numbers", async () => {
    const r = await read(
      "polls",
      "store_id,status,timestamp_utc\r\ns1,active,2023-01-22 12:00:00 UTC\ns2,active,2023-01-22 13:00:00 UTC\r\ns3,maybe,2023-01-22 13:00:00 UTC\n",
    );
    expect(r.messages).toEqual(['feed.csv line 4, column status: expected active or inactive (got "maybe")']);
  });

  it("reads polls with the published header and timestamp format", async () => {
    const r = await read("polls", "store_id,status,timestamp_utc\n1481966498820158979,active,2023-01-22 12:09:39.388884 UTC\n");
    expect(r.rows).toEqual([["1481966498820158979", "2023-01-22 12:09:39.388884+00", "active"]]);
  });

  it("takes columns in any order", async () => {
    const r = await read("polls", "timestamp_utc,store_id,status\n2023-01-22 12:09:39 UTC,s1,inactive\n");
    expect(r.rows).toEqual([["s1", "2023-01-22 12:09:39+00", "inactive"]]);
  });

  it("strips a UTF-8 byte-order mark before the header", async () => {
    const r = await read("polls", "\uFEFFstore_id,status,timestamp_utc\ns1,active,2024-10-03 23:33:20.412748 UTC\n");
    expect(r.problemCount).toBe(0);
    expect(r.rows).toHaveLength(1);
  });

  it("accepts CRLF line ends and a missing final newline", async () => {
    const r = await read("time_zones", "store_id,timezone_str\r\ns1,America/Chicago\r\ns2,Asia/Kolkata");
    expect(r.rows).toEqual([
      ["s1", "America/Chicago"],
      ["s2", "Asia/Kolkata"],
    ]);
  });

  it.each(["day", "dayOfWeek"])("names the day column %s", async (column) => {
    const r = await read("business_hours", `store_id,${column},start_time_local,end_time_local\ns1,0,9:00:00,17:30:00\n`);
    expect(r.rows).toEqual([["s1", 0, "09:00:00", "17:30:00"]]);
  });

  it("keeps 19-digit store ids as text, digit for digit", async () => {
    const r = await read("time_zones", "store_id,timezone_str\n8139926242460185114,Asia/Beirut\n");
    expect(r.rows[0]![0]).toBe("8139926242460185114");
  });

  it("skips blank lines without losing line numbers", async () => {
    const r = await read(
      "polls",
      "store_id,status,timestamp_utc\ns1,active,2023-01-22 12:00:00 UTC\n\ns1,broken,2023-01-22 13:00:00 UTC\n",
    );
    expect(r.rowsRead).toBe(2);
    expect(r.problems[0]!.line).toBe(4);
  });

  it("recognises each kind of feed from its header", () => {
    expect(detectFeedKind(["store_id", "status", "timestamp_utc"])).toBe("polls");
    expect(detectFeedKind(["\uFEFFstore_id", "dayOfWeek", "start_time_local", "end_time_local"])).toBe("business_hours");
    expect(detectFeedKind(["store_id", "timezone_str"])).toBe("time_zones");
    expect(detectFeedKind(["id", "name"])).toBeNull();
  });
});

describe("invalid rows name the file, line, column and value", () => {
  it.each([
    [
      "polls",
      "store_id,status,timestamp_utc\ns1,open,2023-01-22 12:00:00 UTC\n",
      'feed.csv line 2, column status: expected active or inactive (got "open")',
    ],
    [
      "polls",
      "store_id,status,timestamp_utc\ns1,active,22/01/2023 12:00\n",
      "feed.csv line 2, column timestamp_utc: expected a UTC timestamp",
    ],
    [
      "polls",
      "store_id,status,timestamp_utc\n ,active,2023-01-22 12:00:00 UTC\n",
      "feed.csv line 2, column store_id: expected a store id of 1 to 128 characters",
    ],
    [
      "polls",
      `store_id,status,timestamp_utc\n${"x".repeat(129)},active,2023-01-22 12:00:00 UTC\n`,
      "feed.csv line 2, column store_id: expected a store id of 1 to 128 characters",
    ],
    [
      "polls",
      'store_id,status,timestamp_utc\n"a\u0000b",active,2023-01-22 12:00:00 UTC\n',
      "feed.csv line 2, column (bytes): a NUL byte at byte 32",
    ],
    ["time_zones", "store_id,timezone_str,note\r\ns1,UTC,\r\ns2,UTC,x\u0000\n", "feed.csv line 3, column (bytes): a NUL byte at byte 45"],
    ["time_zones", "store_id,timezone_str\rs1,UTC\r\u0000\n", "feed.csv line 3, column (bytes): a NUL byte at byte 29"],
    [
      "polls",
      'store_id,status,timestamp_utc\n"=HYPERLINK(""http://x"",""y"")",active,2023-01-22 12:00:00 UTC\n',
      "feed.csv line 2, column store_id: expected a store id of 1 to 128 characters, without control characters, not beginning with =, +, - or @",
    ],
    ["polls", "store_id,status,timestamp_utc\n-2+3,active,2023-01-22 12:00:00 UTC\n", "feed.csv line 2, column store_id"],
    ["polls", "store_id,status,timestamp_utc\n@SUM(1),active,2023-01-22 12:00:00 UTC\n", "feed.csv line 2, column store_id"],
    [
      "business_hours",
      "store_id,day,start_time_local,end_time_local\ns1,7,09:00:00,17:00:00\n",
      'feed.csv line 2, column day: expected a day of the week from 0 (Monday) to 6 (Sunday) (got "7")',
    ],
    [
      "business_hours",
      "store_id,day,start_time_local,end_time_local\ns1,1,9am,17:00:00\n",
      'feed.csv line 2, column start_time_local: expected a time HH:MM:SS (got "9am")',
    ],
    [
      "time_zones",
      "store_id,timezone_str\ns1,Mars/Base\n",
      'feed.csv line 2, column timezone_str: expected an IANA time zone such as America/Chicago (got "Mars/Base")',
    ],
    [
      "time_zones",
      "store_id\ns1\n",
      "feed.csv line 1, column timezone_str: missing column timezone_str in the header of a time zones file",
    ],
    ["time_zones", "store_id,timezone_str\ns1\n", "feed.csv line 2, column (row): the row has 1 field; the header has 2"],
    ["time_zones", "store_id,timezone_str\ns1,UTC,extra\n", "feed.csv line 2, column (row): the row has 3 fields; the header has 2"],
    [
      "polls",
      'store_id,status,timestamp_utc\ns1,active,2023-01-22 12:00:00 UTC\ns2,active,"2023-01-22 13:00:00 UTC\n',
      "feed.csv line 3, column (quotes): a quoted field is not closed",
    ],
    [
      "polls",
      "store,state,when\ns1,active,2023-01-22 12:00:00 UTC\ns2,active,2023-01-22 13:00:00 UTC\n",
      "feed.csv line 1, column store_id, timestamp_utc, status: missing columns store_id, timestamp_utc, status",
    ],
    [
      "polls",
      Buffer.concat([
        Buffer.from("store_id,status,timestamp_utc\ns1,active,2023-01-22 12:00:00 UTC\nbad"),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(",active,2023-01-22 12:00:00 UTC\n"),
      ]),
      "feed.csv line 3, column (bytes): not UTF-8 text: invalid UTF-8 at byte 67",
    ],
    ["polls", "", "feed.csv line 1, column (header): the file is empty"],
  ] as const)("%s: %j", async (kind, content, message) => {
    const r = await read(kind, content);
    expect(r.problemCount).toBe(1);
    expect(r.messages[0]).toContain(message);
  });

  it("lists the first 20 problems and counts them all, passing on no rows once one is found", async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `s${i},maybe,2023-01-22 12:00:00 UTC`);
    const r = await read("polls", `store_id,status,timestamp_utc\ns0,active,2023-01-22 11:00:00 UTC\n${lines.join("\n")}\n`);
    expect(r.problemCount).toBe(30);
    expect(r.problems).toHaveLength(20);
    expect(r.problems[0]!.line).toBe(3);
    expect(r.rows).toEqual([]);
  });
});

describe("a field or a row longer than its bound is refused as soon as the bound is passed", () => {
  const CHUNK = 64 * 1024;
  const zones = "store_id,timezone_str,note\ns1,UTC,first\n";

  it.each([
    ["unquoted", "n".repeat(MAX_FIELD_CHARS)],
    ["quoted, quotes included", `"${"n,".repeat(MAX_FIELD_CHARS / 2 - 1)}"`],
  ])("takes a field of exactly the bound, %s", async (_how, note) => {
    expect(note).toHaveLength(MAX_FIELD_CHARS);
    const r = await read("time_zones", `${zones}s2,UTC,${note}\n`, CHUNK);
    expect(r.messages).toEqual([]);
    expect(r.rows).toEqual([
      ["s1", "UTC"],
      ["s2", "UTC"],
    ]);
  });

  it.each([
    [
      "note",
      `${zones}s2,UTC,${"n".repeat(MAX_FIELD_CHARS + 1)}\n`,
      "feed.csv line 3, column note: the field is longer than the limit of 65,536 characters",
    ],
    ["store_id", `${zones}${"s".repeat(MAX_FIELD_CHARS + 1)},UTC,\n`, "feed.csv line 3, column store_id: the field is longer"],
    ["(header)", `store_id,timezone_str,${"h".repeat(MAX_FIELD_CHARS + 1)}\n`, "feed.csv line 1, column (header): the field is longer"],
    [
      "a quoted one over several lines",
      `${zones}s2,UTC,"${"n\n".repeat(MAX_FIELD_CHARS / 2)}"\n`,
      "feed.csv line 3, column note: the field is longer than the limit of 65,536 characters (it starts with a quote",
    ],
  ])("refuses a field one character over the bound, naming its line and column: %s", async (_where, content, message) => {
    for (const chunkBytes of [0, CHUNK, 1000]) {
      const r = await read("time_zones", content, chunkBytes);
      expect(r.problemCount).toBe(1);
      expect(r.messages[0]).toContain(message);
    }
  });

  it("refuses a row of many short fields once it passes the row bound, naming its line", async () => {
    const row = `s2,UTC,${"a,".repeat(MAX_ROW_CHARS / 2)}`;
    const r = await read("time_zones", `${zones}${row}\n`, CHUNK);
    expect(r.messages).toEqual(["feed.csv line 3, column (row): the row is longer than the limit of 1,048,576 characters"]);
    const atTheBound = await read("time_zones", `${zones}${row.slice(0, MAX_ROW_CHARS)}\n`, CHUNK);
    expect(atTheBound.messages).toEqual([expect.stringContaining("feed.csv line 3, column (row): the row has")]); // its field count, not its length
  });

  /**
   * `start`, then `megabytes` of one letter, 64 KB at a time, made as they are read; `pulled` counts the bytes the
   * reader took. A reader that takes more than `givesUpAfter` bytes is given the end of the file instead (so that
   * one without bounds fails in seconds rather than minutes).
   */
  function endlessField(start: string, megabytes: number, givesUpAfter = 16 * 1024 * 1024) {
    const source = { pulled: 0, chunks: null as unknown as Iterable<Buffer> };
    const letters = Buffer.alloc(CHUNK, "A");
    source.chunks = (function* () {
      yield Buffer.from(start);
      for (let i = 0; i < megabytes * 16 && source.pulled < givesUpAfter; i++) {
        source.pulled += letters.length;
        yield letters;
      }
    })();
    return source;
  }

  // What is read is the chunks before the bound and those the streams buffer ahead (16 a stage), not the rest.
  it("refuses a quote that never closes, in a 150 MB file, having read no more than a few megabytes of it", async () => {
    const source = endlessField('store_id,timezone_str\ns1,"', 150);
    const started = performance.now();
    const r = await read("time_zones", source.chunks);
    expect(r.messages).toEqual([
      "feed.csv line 2, column timezone_str: the field is longer than the limit of 65,536 characters (it starts with a quote: is its closing quote missing?)",
    ]);
    expect(source.pulled).toBeLessThan(4 * 1024 * 1024);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("keeps its memory flat whatever the length of a field that never ends", async () => {
    const source = endlessField("store_id,timezone_str\ns1,", 24);
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const measured = (function* () {
      for (const chunk of source.chunks) {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
        yield chunk;
      }
    })();
    const r = await read("time_zones", measured);
    expect(r.messages).toEqual(["feed.csv line 2, column timezone_str: the field is longer than the limit of 65,536 characters"]);
    expect((peak - before) / 1024 / 1024).toBeLessThan(8);
  });
});
