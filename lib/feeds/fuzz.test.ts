// Random bytes and random mutations of valid files never crash the loader: each load either succeeds or is
// refused with the one error shape (invalid_feed, 422), and a refused load changes no table.
import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import { AppError } from "../errors";
import { feedTables, setUpTestDatabase } from "../../tests/database";
import { feedDir } from "../../tests/fixtures";
import { FEEDS } from "./kinds";
import { FEED_KINDS } from "../api/views/feed-kinds";
import { feedSourcesInDirectory, loadFeeds } from "./load";

await setUpTestDatabase();

const VALID = {
  polls: "store_id,status,timestamp_utc\ns1,active,2023-01-22 12:09:39.388884 UTC\ns2,inactive,2023-01-22T13:00:00Z\n",
  business_hours: "store_id,dayOfWeek,start_time_local,end_time_local\ns1,0,09:00:00,17:00:00\ns2,6,22:00:00,02:00:00\n",
  time_zones: "store_id,timezone_str\ns1,America/Chicago\ns2,Asia/Kolkata\n",
  stores: 'store_id,name,address,owner\ns1,Burger Hut Main St,"1 Main St, Springfield",acme\ns2,Café Été,,\n',
} as const;

beforeAll(async () => {
  await loadFeeds(feedSourcesInDirectory(feedDir(Object.fromEntries(FEED_KINDS.map((k) => [FEEDS[k].fileName, VALID[k]])))));
});

/** Any byte, and more often those that mean something to CSV, UTF-8 or PostgreSQL (NUL, line ends, quote, comma, a lead byte). */
const interestingByte = fc.oneof(
  fc.constantFrom(0x00, 0x0a, 0x0d, 0x22, 0x2c, 0x3d, 0x2d, 0x40, 0xc3, 0xe2, 0xff),
  fc.integer({ min: 0, max: 255 }),
);

/** A valid file with a few bytes replaced, inserted or removed. */
const mutated = fc
  .record({
    kind: fc.constantFrom(...FEED_KINDS),
    edits: fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom("set", "insert", "delete"), byte: interestingByte }), {
      minLength: 1,
      maxLength: 6,
    }),
  })
  .map(({ kind, edits }) => {
    const bytes = [...Buffer.from(VALID[kind])];
    for (const { at, op, byte } of edits) {
      const i = at % (bytes.length + 1);
      if (op === "set" && i < bytes.length) bytes[i] = byte;
      else if (op === "insert") bytes.splice(i, 0, byte);
      else if (op === "delete" && i < bytes.length) bytes.splice(i, 1);
    }
    return { kind, content: Buffer.from(bytes) };
  });
/** A valid file with one field replaced by a string of characters that mean something somewhere. */
const fieldReplaced = fc
  .record({
    kind: fc.constantFrom(...FEED_KINDS),
    row: fc.integer({ min: 1, max: 2 }),
    column: fc.nat(),
    value: fc.string({
      unit: fc.constantFrom("\u0000", "\u0007", "\t", "\r", "\n", '"', ",", "=", "-", "@", "é", "\u{1F600}", "a", "1", " ", "\uFEFF"),
      maxLength: 12,
    }),
  })
  .map(({ kind, row, column, value }) => {
    const lines = VALID[kind].split("\n");
    const cells = lines[row]!.split(",");
    cells[column % cells.length] = `"${value.replace(/"/g, '""')}"`;
    lines[row] = cells.join(",");
    return { kind, content: Buffer.from(lines.join("\n")) };
  });
const random = fc.record({ kind: fc.constantFrom(...FEED_KINDS), content: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) });

it("never crashes on random bytes or mutated files, and a refused load changes no table", async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(mutated, fieldReplaced, random), async ({ kind, content }) => {
      const before = await feedTables();
      try {
        await loadFeeds(feedSourcesInDirectory(feedDir({ [FEEDS[kind].fileName]: content })));
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).status).toBe(422);
        expect(await feedTables()).toEqual(before);
      }
    }),
    { numRuns: 300, seed: 20261128 },
  );
});
