import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { pressGenerate } from "./helpers";

const GENERATED_STORES = 300; // e2e/serve.ts loads 300 generated stores (the admin spec may add one)

/** The number of stores in a report, as its API says. */
async function storesIn(page: Page, id: string): Promise<number> {
  const body = await (await page.request.get(`/api/reports/${id}`)).json();
  expect(body.totals.stores).toBeGreaterThanOrEqual(GENERATED_STORES);
  return body.totals.stores;
}

/** Presses "Generate report" and waits for that report's row to say Complete; returns its id. */
async function generateReport(page: Page) {
  await page.goto("/reports");
  const response = await pressGenerate(page);
  const { report_id: id } = (await response.json()) as { report_id: string };
  const row = page.locator(`tr[data-report-id="${id}"]`);
  await expect(row.getByRole("progressbar").or(row.getByText("Complete"))).toBeVisible();
  await expect(row.getByText("Complete")).toBeVisible({ timeout: 30_000 });
  return id;
}

async function openNewReport(page: Page) {
  const id = await generateReport(page);
  await page
    .locator(`tr[data-report-id="${id}"]`)
    .getByRole("link", { name: /Open report/ })
    .click();
  await expect(page.getByRole("table", { name: "Report rows" })).toBeVisible();
  return id;
}

/** The report table's columns: store, uptime % week, uptime % day, last poll, then the six figures. */
const FIGURES = 4;
const DOWN_DAY = FIGURES + 4;

async function expectPage(page: Page, n: number, of: number) {
  const pager = page.getByRole("navigation", { name: "Pages" });
  await expect(pager.getByRole("spinbutton")).toHaveValue(String(n));
  await expect(pager.getByText(new RegExp(`^of ${of} ·`))).toBeVisible();
}

/** The store ids of the rows shown (a named store's id is written beneath its name). */
const storeIds = (page: Page) =>
  page
    .getByRole("table", { name: "Report rows" })
    .locator("tbody tr td:first-child")
    .evaluateAll((cells) => cells.map((c) => (c.querySelector(".store-id") ?? c.querySelector("a"))!.textContent!.trim()));

const column = (page: Page, index: number) =>
  page
    .getByRole("table", { name: "Report rows" })
    .locator(`tbody tr td:nth-child(${index + 1})`)
    .allInnerTexts();

/** Sorts the table by a column and waits until the rows shown are the newly sorted ones. */
async function sortBy(page: Page, label: RegExp, index: number, direction: "ascending" | "descending") {
  const header = page.getByRole("columnheader", { name: label });
  await header.getByRole("button").click();
  await expect(header).toHaveAttribute("aria-sort", direction);
  await expect(page.getByRole("table", { name: "Report rows" })).toHaveAttribute("aria-busy", "false");
  await expect
    .poll(async () => {
      const values = (await column(page, index)).map(Number);
      const sorted = [...values].sort((a, b) => (direction === "descending" ? b - a : a - b));
      return values.join() === sorted.join();
    })
    .toBe(true);
}

test("generating a report: it appears at once and its progress reaches Complete", async ({ page }) => {
  const id = await generateReport(page);
  await expect(page.locator(`tr[data-report-id="${id}"] td`).nth(5)).toHaveText((await storesIn(page, id)).toLocaleString("en-US"));
});

test("the report table: the five stores with the most downtime in the last day, a filter, and pages", async ({ page }) => {
  const id = await openNewReport(page);
  const pages = Math.ceil((await storesIn(page, id)) / 50);
  await expectPage(page, 1, pages);
  await expect(page.locator("tbody tr")).toHaveCount(50);

  await sortBy(page, /Downtime last day/, DOWN_DAY, "descending");
  const downtime = (await column(page, DOWN_DAY)).map(Number);
  const topFive = (await storeIds(page)).slice(0, 5);
  expect(downtime[0]).toBeGreaterThan(0);

  await sortBy(page, /Downtime last day/, DOWN_DAY, "ascending");
  expect((await column(page, DOWN_DAY)).map(Number)[0]).toBeLessThanOrEqual(downtime[0]!);

  await page.getByRole("button", { name: "Next page" }).click();
  await expectPage(page, 2, pages);

  const part = topFive[0]!.slice(0, 6);
  await page.getByLabel("Find a store by name or id").fill(part);
  await expectPage(page, 1, 1);
  const ids = await storeIds(page);
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) expect(id).toContain(part);
});

test("downloading the CSV: the exact header and one row per store", async ({ page }) => {
  const id = await openNewReport(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "API CSV (contract)" }).click()]);
  expect(download.suggestedFilename()).toBe(`report-${id}.csv`);
  const lines = fs
    .readFileSync((await download.path())!, "utf8")
    .trimEnd()
    .split("\n");
  expect(lines[0]).toBe(
    "store_id,uptime_last_hour(in minutes),uptime_last_day(in hours),uptime_last_week(in hours),downtime_last_hour(in minutes),downtime_last_day(in hours),downtime_last_week(in hours)",
  );
  expect(lines).toHaveLength((await storesIn(page, id)) + 1);
});

test("a store's week: timeline, hours and the same six numbers as its row", async ({ page }) => {
  await openNewReport(page);
  await sortBy(page, /Downtime last day/, DOWN_DAY, "descending");
  const firstRow = page.getByRole("table", { name: "Report rows" }).locator("tbody tr").first();
  const cells = await firstRow.locator("td").allInnerTexts();
  const [name] = await firstRow.getByRole("link").allInnerTexts();
  const [id] = await storeIds(page);
  await firstRow.getByRole("link").click();

  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByText(`Store ${id}`)).toBeVisible();
  const lanes = page.getByRole("list", { name: "Days" }).getByRole("listitem");
  await expect(lanes).toHaveCount(8); // a week ending mid-day covers parts of 8 local dates
  await expect(page.locator(".poll").first()).toBeVisible();
  await expect(page.getByText(/Time zone/)).toBeVisible();
  await expect(page.getByRole("table", { name: "Business hours" }).or(page.getByText("Open 24x7 (no hours on file)."))).toBeVisible();

  const figures = page.getByRole("table", { name: "Uptime and downtime" });
  const shown = (await figures.locator("tbody td").allInnerTexts()).map((t) => t.replace(/ (min|h)$/, ""));
  // Rows: hour, day, week; columns: uptime, downtime. The report's order: up hour/day/week, down hour/day/week.
  expect([shown[0], shown[2], shown[4], shown[1], shown[3], shown[5]]).toEqual(cells.slice(FIGURES));
  await expect(page.getByText("As in the report.")).toBeVisible();
});

test("unknown report and unknown store pages say so and lead back", async ({ page }) => {
  await page.goto("/reports/AAAAAAAAAAAAAAAAAAAAAA");
  await expect(page.locator(".notice-error")).toContainText("Report not found");
  await page.getByRole("link", { name: "Go to the reports list" }).click();
  await expect(page.getByRole("heading", { name: "Reports" })).toBeVisible();

  await page.goto("/stores/no-such-store");
  await expect(page.locator(".notice-error")).toContainText("Unknown store");
  await expect(page.locator(".notice-error")).toContainText("no-such-store");
});
