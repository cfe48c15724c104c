// The stale-store case: stores whose only polls are from January 2023, loaded next to October 2024 data, in a
// report as of October 2024. They show as "no data" with their last poll, and the fleet figures are exactly
// those of a report over the 2024 stores alone.
import path from "node:path";
import { expect, it } from "vitest";
import { ALL_STORES } from "../auth/scope";
import { pool } from "../db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../feeds/load";
import { setUpTestDatabase } from "../../tests/database";
import { triggerReport } from "./create";
import { reportOverview, reportRowsPage } from "./list";
import { reportState } from "./read";
import { runReport } from "./run";

await setUpTestDatabase();
const published = (version: string) => feedSourcesInDirectory(path.resolve("tests/fixtures/published", version));

async function report(asOf?: string) {
  const id = await triggerReport(asOf, { enqueue: false });
  await runReport(id);
  expect((await reportState(id)).status).toBe("Complete");
  return reportOverview(id, ALL_STORES);
}

it("2023-only stores in a 2024 report are 'no data' with their last poll, and left out of the fleet figures", async () => {
  await loadFeeds(published("loop2025"));
  const fresh = await report();
  await loadFeeds(published("loop2023"));
  const mixed = await report(fresh.asOf);

  const { rows: old } = await pool().query(
    `SELECT store_id, to_char(max(timestamp_utc) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last
     FROM polls WHERE timestamp_utc < '2024-01-01' GROUP BY 1 ORDER BY 1`,
  );
  expect(old.length).toBeGreaterThan(0);
  expect(mixed.totals).toEqual({
    ...fresh.totals,
    stores: fresh.totals!.stores + old.length,
    storesNoData: fresh.totals!.storesNoData + old.length, // (the 2024 sample has a few of its own)
  });
  expect(mixed.totals!.storesNoData).toBe(old.length + fresh.totals!.stores - fresh.totals!.storesCounted);

  const noData = await reportRowsPage(
    mixed.id,
    { page: 1, pageSize: 10_000, sort: "store_id", dir: "asc", q: "", only: "no_data" },
    ALL_STORES,
  );
  const oldRows = noData.rows.filter((r) => old.some((o) => o.store_id === r.store_id));
  expect(oldRows.map((r) => [r.store_id, r.last_poll_at, r.freshness])).toEqual(old.map((o) => [o.store_id, o.last, "no_data"]));
  // The worst first: stores without data lead the default order.
  const n = mixed.totals!.storesNoData;
  const worst = await reportRowsPage(mixed.id, { page: 1, pageSize: n + 1, sort: "health", dir: "asc", q: "", only: "all" }, ALL_STORES);
  expect(worst.rows.slice(0, n).every((r) => r.freshness === "no_data")).toBe(true);
  expect(worst.rows[n]!.freshness).not.toBe("no_data");
});
