// The report's spreadsheet (GET /api/reports/<id>/spreadsheet) over real HTTP against the built app and a real
// PostgreSQL: its header in words, the store directory's names, addresses and owners, the rows the report page's
// rows API gives for the same subset, search and order, formulas guarded, its file named for the report's week,
// a member's stores only; and the contract CSV (/get_report_file) beside it, unchanged.
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { newReportId } from "../../lib/reports/create";
import { startApp, type RunningApp } from "../../scripts/app-processes";
import { setUpTestDatabase } from "../database";
import { memberSession } from "./people";

const ADMIN_TOKEN = "admin-token-for-the-spreadsheet-tests";
const databaseUrl = await setUpTestDatabase();
let app: RunningApp;
let admin: Record<string, string>;
let member: Record<string, string>;
const id = newReportId();

/** store id, name, address, owner slug, uptime last week (hours, of 100 business hours), downtime last day (hours), freshness */
const STORES: [string, string | null, string | null, string | null, number, number, string][] = [
  ["1001", "Café Zoë", "1 Rue de la Paix, Paris", "north", 99.5, 0, "fresh"],
  ["1002", '=HYPERLINK("http://evil.example")', "@SUM(1+1)", "north", 80, 2.5, "fresh"],
  ["1003", "Burger Hut Main St", "3 Main St", "north", 95, 0.5, "stale"],
  ["1004", "Burger Hut Airport", "-1 Terminal", "south", 70, 4, "fresh"],
  ["1005", "Taco Stand", null, "south", 100, 0, "fresh"],
  ["1006", null, null, null, 0, 0, "no_data"],
  ["1007", "Café du Nord", "7 Quai", null, 91, 1, "fresh"],
];

beforeAll(async () => {
  await pool().query("INSERT INTO owners (slug, name) VALUES ('north', 'Nørdic Grill Group'), ('south', 'South Foods')");
  for (const [storeId, name, address, owner] of STORES)
    await pool().query(
      "INSERT INTO stores (store_id, name, address, owner_id) VALUES ($1, $2, $3, (SELECT id FROM owners WHERE slug = $4))",
      [storeId, name, address, owner],
    );
  await pool().query(
    `INSERT INTO reports (id, status, as_of, as_of_source, stores_total, stores_done, started_at, finished_at)
     VALUES ($1, 'Complete', '2024-10-14T23:55:18.727Z', 'request', $2, $2, now(), now())`,
    [id, STORES.length],
  );
  for (const [i, [storeId, , , , upWeek, downDay, freshness]] of STORES.entries())
    await pool().query(
      `INSERT INTO report_rows (report_id, store_id, uptime_last_hour, uptime_last_day, uptime_last_week, downtime_last_hour,
                                downtime_last_day, downtime_last_week, last_poll_at, freshness)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '2024-10-14T23:00:00Z'::timestamptz - make_interval(hours => $9), $10)`,
      [id, storeId, 60 - i, 10 - downDay, upWeek, i, downDay, 100 - upWeek, i, freshness],
    );
  app = await startApp(databaseUrl, { workers: 0, env: { ADMIN_TOKEN } });
  const signedIn = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
  admin = { Cookie: signedIn.headers.get("set-cookie")!.split(";")[0]! };
  member = { Cookie: await memberSession(app.baseUrl, { ...admin, Origin: app.baseUrl }, "nora@north.example", "north") };
}, 120_000);
afterAll(() => app?.stop());

const get = (path: string, headers = admin) => fetch(`${app.baseUrl}${path}`, { headers });

/** The spreadsheet's bytes, and its rows as a spreadsheet reads them (the header apart). */
async function spreadsheet(query = "", headers = admin) {
  const response = await get(`/api/reports/${id}/spreadsheet${query}`, headers);
  expect(response.status, await response.clone().text()).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  const parsed = Papa.parse<string[]>(bytes.toString("utf8").replace(/^\uFEFF/, ""), { skipEmptyLines: true });
  return { response, bytes, header: parsed.data[0]!, rows: parsed.data.slice(1) };
}

/** The store ids the report page's rows API lists for the same query, every page of them. */
async function rowsApiIds(query: Record<string, string>, headers = admin): Promise<string[]> {
  const response = await get(`/api/reports/${id}/rows?${new URLSearchParams({ ...query, pageSize: "500" })}`, headers);
  expect(response.status).toBe(200);
  return ((await response.json()) as { rows: { store_id: string }[] }).rows.map((r) => r.store_id);
}

describe("the report's spreadsheet", () => {
  it("begins with a byte-order mark, then headers in words with their units", async () => {
    const { bytes, header } = await spreadsheet();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(header).toEqual([
      "Store name",
      "Address",
      "Owner",
      "Store id",
      "Uptime last hour (minutes)",
      "Uptime last day (hours)",
      "Uptime last week (hours)",
      "Downtime last hour (minutes)",
      "Downtime last day (hours)",
      "Downtime last week (hours)",
      "Uptime last week (%)",
      "Uptime last day (%)",
      "Last poll (UTC)",
      "Data",
    ]);
  });

  it("is an attachment named for the report's week, from its as-of", async () => {
    const { response } = await spreadsheet();
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="store-uptime_2024-10-07_to_2024-10-14.csv"');
  });

  it("gives each store's name, address and owner from the directory, accents kept", async () => {
    const { rows } = await spreadsheet("?sort=store_id");
    expect(rows[0]).toEqual([
      "Café Zoë",
      "1 Rue de la Paix, Paris",
      "Nørdic Grill Group",
      "1001",
      "60.00",
      "10.00",
      "99.50",
      "0.00",
      "0.00",
      "0.50",
      "99.5",
      "100",
      "2024-10-14 23:00:00",
      "",
    ]);
    expect(rows.find((r) => r[3] === "1006")!.slice(0, 4)).toEqual(["", "", "", "1006"]);
    expect(rows.find((r) => r[3] === "1006")![13]).toBe("no poll in the week");
  });

  it("writes a name, an address or an owner that a spreadsheet would run as a formula with a leading apostrophe", async () => {
    const { rows } = await spreadsheet("?sort=store_id");
    expect(rows.find((r) => r[3] === "1002")!.slice(0, 2)).toEqual(['\'=HYPERLINK("http://evil.example")', "'@SUM(1+1)"]);
    expect(rows.find((r) => r[3] === "1004")![1]).toBe("'-1 Terminal");
  });

  it.each<Record<string, string>>([
    {},
    { sort: "name", dir: "desc" },
    { sort: "uptime_percent_week", dir: "asc" },
    { only: "down_day", sort: "downtime_last_day", dir: "desc" },
    { q: "café" },
    { q: "burger", only: "bad" },
    { q: "100" },
    { only: "stale" },
    { only: "no_data" },
  ])("holds the rows the report page's rows API gives for the same filter and sort: %j", async (query) => {
    const expected = await rowsApiIds(query);
    const { rows } = await spreadsheet(`?${new URLSearchParams(query)}`);
    expect(rows.map((r) => r[3])).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it("holds a member's stores only, as their rows API does", async () => {
    const { rows } = await spreadsheet("", member);
    expect(rows.map((r) => r[3])).toEqual(await rowsApiIds({}, member));
    expect(rows.map((r) => r[3]).sort()).toEqual(["1001", "1002", "1003"]);
  });

  it("refuses a bad sort, naming it", async () => {
    const response = await get(`/api/reports/${id}/spreadsheet?sort=price`);
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toContain('parameter sort "price"');
  });
});

describe("the API's CSV beside it", () => {
  it("is the contract's, byte for byte: store ids in order, the figures, no names", async () => {
    const response = await get(`/get_report_file/${id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="report-${id}.csv"`);
    expect(await response.text()).toBe(
      [
        "store_id,uptime_last_hour(in minutes),uptime_last_day(in hours),uptime_last_week(in hours),downtime_last_hour(in minutes),downtime_last_day(in hours),downtime_last_week(in hours)",
        "1001,60.00,10.00,99.50,0.00,0.00,0.50",
        "1002,59.00,7.50,80.00,1.00,2.50,20.00",
        "1003,58.00,9.50,95.00,2.00,0.50,5.00",
        "1004,57.00,6.00,70.00,3.00,4.00,30.00",
        "1005,56.00,10.00,100.00,4.00,0.00,0.00",
        "1006,55.00,10.00,0.00,5.00,0.00,100.00",
        "1007,54.00,9.00,91.00,6.00,1.00,9.00",
        "",
      ].join("\n"),
    );
  });
});
