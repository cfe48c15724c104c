// What a request answers when its database is short of disk space, memory or other resources (SQLSTATE class
// 53), with the errors a real PostgreSQL raises, as pg and as Prisma hand them on.
import { afterEach, describe, expect, it, vi } from "vitest";
import { setUpTestDatabase } from "../../tests/database";
import { pool } from "../db/pool";
import { prisma } from "../db/prisma";
import { errorBody } from "./error-body";
import { log } from "../log";

await setUpTestDatabase();

/** A statement that fails as PostgreSQL fails one when it is short of something: SQLSTATE `sqlstate`, PostgreSQL's words. */
const failing = (sqlstate: string, message: string) => `DO $$ BEGIN RAISE EXCEPTION '${message}' USING ERRCODE = '${sqlstate}'; END $$`;
const DISK_FULL = 'could not extend file "base/16384/16402": No space left on device';

/** What errorBody makes of the error `sql` raises through `driver`. */
async function answerTo(driver: "pg" | "prisma", sql: string) {
  const error = await (driver === "pg" ? pool().query(sql) : prisma().$executeRawUnsafe(sql)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).not.toBeNull();
  const { status, body, headers } = errorBody(error);
  return { status, code: body.error.code, message: body.error.message, retryAfter: headers?.["Retry-After"] };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(["pg", "prisma"] as const)("errorBody, through %s", (driver) => {
  it.each([
    ["53100", DISK_FULL, "disk space"],
    ["53200", "out of memory", "memory"],
    ["53000", "insufficient resources", "resources"],
  ])("SQLSTATE %s is 503 database_unavailable with Retry-After, saying what the database is out of", async (sqlstate, words, of) => {
    expect(await answerTo(driver, failing(sqlstate, words))).toEqual({
      status: 503,
      code: "database_unavailable",
      message: `the database is out of ${of}; try again shortly`,
      retryAfter: "5",
    });
  });

  it("a configured limit reached (53400) is not a passing shortage: 500", async () => {
    expect(await answerTo(driver, failing("53400", "configuration limit exceeded"))).toMatchObject({ status: 500, code: "internal" });
  });
});

describe("the log while the disk is full", () => {
  it("says what is full, in PostgreSQL's words and what to do, once a minute rather than once a request", async () => {
    const error = vi.spyOn(log(), "error");
    const lines = () => error.mock.calls.filter(([, message]) => String(message).includes("disk space"));
    // Past any line an earlier test made, then three requests within the minute, then one after it.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 3_600_000 });
    try {
      for (let i = 0; i < 3; i++) await answerTo("pg", failing("53100", DISK_FULL));
      expect(lines()).toHaveLength(1);
      vi.setSystemTime(Date.now() + 61_000);
      await answerTo("prisma", failing("53100", DISK_FULL));
      expect(lines()).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
    expect(lines()[0]![0]).toMatchObject({ where: "request", sqlstate: "53100", postgres: DISK_FULL });
    expect(lines()[0]![1]).toBe(
      `the database is out of disk space (request: ${DISK_FULL}): free space on the disk of PostgreSQL's data directory; until then what needs it answers 503`,
    );
  });
});
