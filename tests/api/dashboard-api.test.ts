// The JSON endpoints behind the dashboard, over real HTTP.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { generateFeeds } from "../../lib/sample-data/generate";
import { Readable } from "node:stream";
import type { DataStatus, ReportOverview, ReportRowsPage, StoreHistoryView, StoreTimelineView } from "../../lib/api/views/reports";
import { csvSource } from "../../lib/feeds/read";
import { REPORT_COLUMNS } from "../../lib/uptime";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const databaseUrl = await setUpTestDatabase();
let app: RunningApp;
let reportId: string;

const get = async <T>(p: string) => {
  const response = await fetch(`${app.baseUrl}${p}`);
  return { status: response.status, body: (await response.json()) as T };
};

beforeAll(async () => {
  app = await startApp(databaseUrl);
  expect((await get<{ data: { hasPolls: boolean } }>("/api/reports")).body.data).toEqual({
    hasPolls: false,
    newestPoll: null,
    unchangedSince: null,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-dash-"));
  await generateFeeds({ stores: 120, days: 8, seed: 11 }, dir);
  await loadFeeds(feedSourcesInDirectory(dir));
  reportId = ((await (await fetch(`${app.baseUrl}/trigger_report`, { method: "POST" })).json()) as { report_id: string }).report_id;
  while ((await get<ReportOverview>(`/api/reports/${reportId}`)).body.status !== "Complete") await sleep(100);
});
afterAll(() => app?.stop());

describe("dashboard endpoints", () => {
  it("GET /api/reports lists the newest first and says whether data is loaded", async () => {
    const { body } = await get<{ reports: { id: string; status: string }[]; data: { hasPolls: boolean } }>("/api/reports");
    expect(body.data.hasPolls).toBe(true);
    expect(body.reports[0]).toMatchObject({ id: reportId, status: "Complete", uptimePercentWeek: expect.any(Number) });
  });

  it("says which report was made from the data as it is; a load since then makes it none", async () => {
    const data = async () => (await get<{ data: DataStatus }>("/api/reports")).body.data;
    expect((await data()).unchangedSince).toBe(reportId);
    await loadFeeds([csvSource("stores.csv", "stores", () => Readable.from(["store_id,name\nsome-store,Renamed\n"]))]);
    expect((await data()).unchangedSince).toBeNull();
  });

  it("GET /api/reports/<id> gives totals over every store once complete", async () => {
    const { body } = await get<ReportOverview>(`/api/reports/${reportId}`);
    expect(body.totals!.stores).toBe(120);
    expect(body.totals!.uptimePercent.week).toBeGreaterThan(0);
    expect(body.totals!.uptimePercent.week).toBeLessThanOrEqual(100);
  });

  it("GET /api/reports/<id>/rows pages, sorts and filters in SQL", async () => {
    const page2 = (await get<ReportRowsPage>(`/api/reports/${reportId}/rows?page=2&pageSize=50`)).body;
    expect(page2).toMatchObject({ total: 120, page: 2, pageSize: 50 });
    expect(page2.rows).toHaveLength(50);
    const all = (await get<ReportRowsPage>(`/api/reports/${reportId}/rows?pageSize=500&sort=downtime_last_day&dir=desc`)).body.rows;
    const downtimes = all.map((r) => r.downtime_last_day);
    expect(downtimes).toEqual([...downtimes].sort((a, b) => b - a));
    const part = all[0]!.store_id.slice(0, 4);
    const filtered = (await get<ReportRowsPage>(`/api/reports/${reportId}/rows?q=${part}`)).body;
    expect(filtered.rows.length).toBeGreaterThan(0);
    for (const r of filtered.rows) expect(r.store_id).toContain(part);
    expect((await get<ReportRowsPage>(`/api/reports/${reportId}/rows?q=${encodeURIComponent("%")}`)).body.total).toBe(0);
  });

  it.each([
    ["sort=password", "sort"],
    ["page=0", "page"],
    ["pageSize=100000", "pageSize"],
    ["dir=sideways", "dir"],
  ])("answers 400 naming the parameter for %s", async (query, name) => {
    const { status, body } = await get<{ error: { code: string; message: string } }>(`/api/reports/${reportId}/rows?${query}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_parameter");
    expect(body.error.message).toMatch(new RegExp(`^parameter ${name} `));
  });

  it("GET /api/stores/<id>/timeline agrees with the report row", async () => {
    const row = (await get<ReportRowsPage>(`/api/reports/${reportId}/rows?pageSize=1&sort=downtime_last_week&dir=desc`)).body.rows[0]!;
    const { body } = await get<StoreTimelineView>(`/api/stores/${row.store_id}/timeline?report=${reportId}`);
    expect(body.figuresSource).toBe("report");
    expect(body.figures).toEqual(Object.fromEntries(REPORT_COLUMNS.slice(1).map((c) => [c, row[c]])));
    // The spans the picture shows add up to the figures (to the rounding of hours to 2 decimals).
    const downHours = body.days.flatMap((d) =>
      d.counted.filter((c) => !c.active).map((c) => ((c.to - c.from) * (Date.parse(d.end) - Date.parse(d.start))) / 3.6e6),
    );
    expect(downHours.reduce((a, b) => a + b, 0)).toBeCloseTo(row.downtime_last_week, 1);
    // The outage list adds up to the report's downtime, to the second (the figure is hours to 2 decimals).
    const outageSeconds = body.outages.reduce((sum, o) => sum + o.seconds, 0);
    expect(Math.round(outageSeconds / 36) / 100).toBe(row.downtime_last_week);
    for (const o of body.outages) expect(o.seconds).toBeCloseTo((Date.parse(o.end) - Date.parse(o.start)) / 1000, 2); // instants to the ms
    // The daily totals shown add up to the week's figures too.
    expect(Math.round(body.days.reduce((s, d) => s + d.downSeconds, 0) / 36) / 100).toBe(row.downtime_last_week);
    expect(Math.round(body.days.reduce((s, d) => s + d.upSeconds, 0) / 36) / 100).toBe(row.uptime_last_week);
  });

  it("GET /api/stores/<id>/history gives each local date's business-hours uptime, 30 days or up to 90", async () => {
    const row = (await get<ReportRowsPage>(`/api/reports/${reportId}/rows?pageSize=1`)).body.rows[0]!;
    const { status, body } = await get<StoreHistoryView>(`/api/stores/${row.store_id}/history?report=${reportId}`);
    expect(status).toBe(200);
    expect(body.days.length).toBe(31); // 30 days ending mid-day touch 31 local dates
    expect(body.days.map((d) => d.date)).toEqual([...body.days.map((d) => d.date)].sort());
    for (const d of body.days)
      if (d.uptimePercent !== null) expect(d.uptimePercent).toBeCloseTo((100 * d.upHours) / (d.upHours + d.downHours), 0);
    expect(body.days.filter((d) => d.polls === 0).every((d) => d.uptimePercent === null)).toBe(true); // before the data: not a figure
    expect((await get<StoreHistoryView>(`/api/stores/${row.store_id}/history?days=90`)).body.days.length).toBe(91);
    expect((await get(`/api/stores/${row.store_id}/history?days=91`)).status).toBe(400);
    expect((await get(`/api/stores/nope/history`)).status).toBe(404);
  });

  it("answers 404 for an unknown store or report", async () => {
    expect((await get(`/api/stores/nope/timeline`)).status).toBe(404);
    expect((await get(`/api/reports/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await get(`/api/reports/AAAAAAAAAAAAAAAAAAAAAA/rows`)).status).toBe(404);
  });
});
