import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pool } from "../db/pool";
import { setUpTestDatabase } from "../../tests/database";
import { triggerReport } from "./create";
import { ALL_STORES } from "../auth/scope";
import { reportStatus } from "./read";

await setUpTestDatabase();

beforeEach(async () => {
  await pool().query("TRUNCATE reports, report_rows CASCADE");
});
afterEach(() => {
  vi.restoreAllMocks();
});

const reportWith = async (storesDone: number) => {
  const id = await triggerReport("2024-01-01T00:00:00Z", { enqueue: false });
  await pool().query("UPDATE reports SET status = 'Running', stores_total = 1000, stores_done = $2 WHERE id = $1", [id, storesDone]);
  return id;
};

describe("report status reads", () => {
  it("answer many concurrent callers of many reports each with their own report, in few queries", async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => reportWith(i)));
    const unknown = "AAAAAAAAAAAAAAAAAAAAAA";
    const queries = vi.spyOn(pool(), "query");
    const calls = Array.from({ length: 400 }, (_, n) => (n % 40 === 39 ? unknown : ids[n % 20]!));
    const answers = await Promise.allSettled(calls.map((id) => reportStatus(id, ALL_STORES)));
    answers.forEach((answer, n) => {
      if (calls[n] === unknown) expect(answer).toMatchObject({ status: "rejected", reason: { status: 404 } });
      else expect(answer).toMatchObject({ status: "fulfilled", value: { id: calls[n], status: "Running", storesDone: n % 20 } });
    });
    expect(queries.mock.calls.length).toBeLessThanOrEqual(calls.length / 20);
  });

  it("never give a caller a state read before the call, even while an earlier read is in flight", async () => {
    const id = await reportWith(0);
    // The first status query reaches the database at once, but its answer is held back until released.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const realQuery = pool().query.bind(pool()) as (...args: unknown[]) => Promise<unknown>;
    let statusQueries = 0;
    vi.spyOn(pool(), "query").mockImplementation((async (...args: unknown[]) => {
      const isStatusQuery = (args[0] as { name?: string }).name === "report-statuses";
      const result = await realQuery(...args);
      if (isStatusQuery && statusQueries++ === 0) await held;
      return result;
    }) as never);

    const early = reportStatus(id, ALL_STORES);
    await vi.waitFor(() => expect(statusQueries).toBe(1));
    await realQuery("UPDATE reports SET stores_done = 5 WHERE id = $1", [id]);
    const late = reportStatus(id, ALL_STORES); // called after the change committed
    release();
    expect((await early).storesDone).toBe(0);
    expect((await late).storesDone).toBe(5);
    expect(statusQueries).toBe(2);
  });

  it("refuse a malformed id before reading", async () => {
    await expect(reportStatus("not an id", ALL_STORES)).rejects.toMatchObject({ status: 400 });
  });
});
