import { describe, expect, it } from "vitest";
import { FEEDS } from "./kinds";
import { describeProblem, recordsSource, type FeedBatch } from "./rows";

async function batches(records: Record<string, string | undefined>[]): Promise<FeedBatch[]> {
  const out: FeedBatch[] = [];
  for await (const batch of recordsSource("POST /api/polls", FEEDS.polls, records).batches()) out.push(batch);
  return out;
}

describe("records as a feed source", () => {
  it("gives typed rows in the feed's column order", async () => {
    const [batch] = await batches([{ status: "Active", timestamp_utc: "2024-10-14T10:00:00Z", store_id: " s1 " }]);
    expect(batch).toEqual({ rows: [["s1", "2024-10-14 10:00:00+00", "active"]], read: 1, problems: [] });
  });

  it("names each bad value by item and field, and gives no rows once one is bad", async () => {
    const [batch] = await batches([
      { store_id: "s1", timestamp_utc: "2024-10-14T10:00:00Z", status: "active" },
      { store_id: "@x", timestamp_utc: "2024-10-14T10:00:00Z", status: "active" },
      { store_id: "s3", status: "active" },
    ]);
    expect(batch!.rows).toEqual([]);
    expect(batch!.read).toBe(3);
    expect(batch!.problems.map(describeProblem)).toEqual([
      expect.stringMatching(/^POST \/api\/polls item 1, field store_id: expected a store id .* \(got "@x"\)$/),
      "POST /api/polls item 2, field timestamp_utc: missing",
    ]);
  });

  it.each([
    ["a control character", "s\u0001"],
    ["a lone surrogate, which a JSON item's \\u escape can make", "s\ud800"],
  ])("refuses a store id holding %s, naming the item and field", async (_, storeId) => {
    const [batch] = await batches([{ store_id: storeId, timestamp_utc: "2024-10-14T10:00:00Z", status: "active" }]);
    expect(batch!.rows).toEqual([]);
    expect(batch!.problems.map(describeProblem)).toEqual([
      expect.stringMatching(/^POST \/api\/polls item 0, field store_id: expected a store id/),
    ]);
  });
});
