// The report page's figures: what a report keeps as it completes is what its rows sum to, for its cards and their
// changes since the report before it over the same stores; the pages of rows count and order as the rows say.
import { beforeAll, describe, expect, it } from "vitest";
import { pool } from "../db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../feeds/load";
import { setUpTestDatabase } from "../../tests/database";
import { feedDir } from "../../tests/fixtures";
import { ALL_STORES, type Scope } from "../auth/scope";
import { triggerReport } from "./create";
import { reportOverview, reportRowsPage } from "./list";
import { runReport } from "./run";

await setUpTestDatabase();

/** A scope that sees every store as an owner's member would: its figures are summed from the rows. */
let everyStoreOfOwner: Scope;
let first: string, second: string;

async function completedReport(asOf: string): Promise<string> {
  const id = await triggerReport(asOf, { enqueue: false });
  expect(await runReport(id)).toBe("completed");
  return id;
}

beforeAll(async () => {
  // s1 up, s2 down half the time, s3 polled only after the first report's time, s4 silent for the last week.
  const polls = ["store_id,status,timestamp_utc"];
  for (let h = 0; h < 14 * 24; h++) {
    const at = new Date(Date.UTC(2024, 0, 1) + h * 3_600_000).toISOString();
    polls.push(`s1,active,${at}`, `s2,${h % 2 ? "active" : "inactive"},${at}`);
    if (h >= 10 * 24) polls.push(`s3,active,${at}`);
    if (h < 6 * 24) polls.push(`s4,inactive,${at}`);
  }
  await loadFeeds(feedSourcesInDirectory(feedDir({ "store_status.csv": polls.join("\n") + "\n" })));
  const { rows } = await pool().query<{ id: string }>("INSERT INTO owners (slug, name) VALUES ('all', 'All') RETURNING id");
  await pool().query("INSERT INTO stores (store_id, name, owner_id) SELECT store_id, store_id, $1 FROM poll_stores", [rows[0]!.id]);
  everyStoreOfOwner = { all: false, ownerIds: [rows[0]!.id] };
  first = await completedReport("2024-01-10T12:00:00Z");
  second = await completedReport("2024-01-14T12:00:00Z");
});

describe("a complete report's figures", () => {
  it("are kept as it completes, and are what its rows sum to, with the report before it over the same stores", async () => {
    const kept = await reportOverview(second, ALL_STORES);
    const summed = await reportOverview(second, everyStoreOfOwner);
    expect(kept.totals).toEqual(summed.totals);
    expect(kept.previous).toEqual(summed.previous);
    expect(kept.totals!.stores).toBe(4);
    // The first report had s1, s2 and s4 (s3 had no poll yet): its figures over the second's stores are those.
    expect(kept.previous).toMatchObject({ id: first, asOf: "2024-01-10T12:00:00.000000Z", totals: { stores: 3 } });
    const { rows } = await pool().query("SELECT totals, previous_id FROM reports WHERE id = $1", [second]);
    expect(rows[0]).toEqual({ totals: kept.totals, previous_id: first });
  });

  it("the first report has none to compare with", async () => {
    expect((await reportOverview(first, ALL_STORES)).previous).toBeNull();
  });
});

describe("a page of rows", () => {
  it("counts each subset as the cards do, from the kept figures or from the rows", async () => {
    const { totals } = await reportOverview(second, ALL_STORES);
    for (const [only, count] of [
      ["all", totals!.stores],
      ["down_day", totals!.storesDownLastDay],
      ["bad", totals!.storesBad],
      ["no_data", totals!.storesNoData],
      ["stale", totals!.storesStale],
    ] as const) {
      const query = { page: 1, pageSize: 50, sort: "health", dir: "asc", q: "", only } as const;
      const [kept, counted] = [await reportRowsPage(second, query, ALL_STORES), await reportRowsPage(second, query, everyStoreOfOwner)];
      expect([only, kept.total, kept.rows.length]).toEqual([only, count, count]);
      expect(counted).toEqual(kept);
    }
  });

  it("puts the worst first: no data, then the lowest uptime over the week, then over the day; names joined", async () => {
    const page = await reportRowsPage(second, { page: 1, pageSize: 50, sort: "health", dir: "asc", q: "", only: "all" }, ALL_STORES);
    expect(page.rows.map((r) => [r.store_id, r.name, r.freshness, r.uptime_percent_week])).toEqual([
      ["s4", "s4", "no_data", 0],
      ["s2", "s2", "fresh", 50],
      ["s1", "s1", "fresh", 100],
      ["s3", "s3", "fresh", 100],
    ]);
    const searched = await reportRowsPage(second, { page: 1, pageSize: 50, sort: "health", dir: "asc", q: "3", only: "all" }, ALL_STORES);
    expect([searched.total, searched.rows.map((r) => r.store_id)]).toEqual([1, ["s3"]]);
  });
});
