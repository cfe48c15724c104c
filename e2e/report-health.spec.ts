import { expect, test, type Page } from "@playwright/test";

/** Generates a report and opens it; returns its id. */
async function openReport(page: Page): Promise<string> {
  const { report_id: id } = await (await page.request.post("/trigger_report")).json();
  await expect
    .poll(async () => (await (await page.request.get(`/get_report?report_id=${id}`)).json()).status, { timeout: 30_000 })
    .toBe("Complete");
  await page.goto(`/reports/${id}`);
  await expect(page.getByRole("table", { name: "Report rows" })).toHaveAttribute("aria-busy", "false");
  return id;
}

const rows = (page: Page) => page.getByRole("table", { name: "Report rows" }).locator("tbody tr");
/** The week's uptime % of the rows shown ("no data" as -1, so that it sorts first). */
const weekPercents = async (page: Page) =>
  (await rows(page).locator("td:nth-child(2)").allInnerTexts()).map((t) =>
    t.includes("no data") ? -1 : t.trim() === "—" ? Infinity : parseFloat(t),
  );

test("a report opens worst first, each store named with its id beneath", async ({ page }) => {
  await openReport(page);
  const percents = await weekPercents(page);
  expect(percents).toEqual([...percents].sort((a, b) => a - b));
  const first = rows(page).first().locator("td").first();
  await expect(first.getByRole("link")).toHaveText(/Diner #\d+/);
  await expect(first.locator(".store-id")).toHaveText(/^[0-9a-f-]{36}$/);
});

test("find a store by name", async ({ page }) => {
  await openReport(page);
  await page.getByLabel("Find a store by name or id").fill("Lantern");
  await expect(page).toHaveURL(/q=Lantern/);
  await expect(page.getByRole("table", { name: "Report rows" })).toHaveAttribute("aria-busy", "false");
  const names = await rows(page).getByRole("link").allInnerTexts();
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) expect(name).toContain("Lantern");
});

test("a summary card filters the table to the stores it counts, and back to all", async ({ page }) => {
  await openReport(page);
  const card = page.getByRole("button", { name: /Stores with downtime in the last day/ });
  const count = Number((await card.locator(".card-value").innerText()).replace(/,/g, ""));
  expect(count).toBeGreaterThan(0);
  await card.click();
  await expect(card).toHaveAttribute("aria-pressed", "true");
  await expect(page).toHaveURL(/only=down_day/);
  await expect(page.getByRole("navigation", { name: "Pages" })).toContainText(`${count.toLocaleString("en-US")} stores`);
  const downDay = await rows(page).locator("td:nth-child(9)").allInnerTexts();
  for (const hours of downDay) expect(Number(hours)).toBeGreaterThan(0);
  await page.getByRole("button", { name: "Show all stores" }).click();
  await expect(page).not.toHaveURL(/only=/);
});

test("sort, filter and page live in the address: reload and Back keep them", async ({ page }) => {
  const id = await openReport(page);
  await page
    .getByRole("columnheader", { name: /Downtime last day/ })
    .getByRole("button")
    .click();
  await expect(page).toHaveURL(/sort=downtime_last_day&dir=desc/);
  const ids = () => rows(page).locator("td .store-id").allInnerTexts();
  await expect.poll(async () => Number(await rows(page).first().locator("td:nth-child(9)").innerText())).toBeGreaterThan(0);
  const first = await ids();
  await page.getByRole("button", { name: "Next page" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect
    .poll(
      async () =>
        (await ids())[0] !== first[0] && (await page.getByRole("table", { name: "Report rows" }).getAttribute("aria-busy")) === "false",
    )
    .toBe(true);
  const shown = await ids();

  await page.reload();
  await expect(page.getByRole("navigation", { name: "Pages" }).getByRole("spinbutton")).toHaveValue("2");
  await expect(page.getByRole("columnheader", { name: /Downtime last day/ })).toHaveAttribute("aria-sort", "descending");
  await expect.poll(ids).toEqual(shown);

  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/reports/${id}\\?sort=downtime_last_day&dir=desc$`));
  await expect(page.getByRole("navigation", { name: "Pages" }).getByRole("spinbutton")).toHaveValue("1");

  // A jump to a page by its number.
  const jump = page.getByRole("navigation", { name: "Pages" }).getByRole("spinbutton");
  await jump.fill("3");
  await jump.press("Enter");
  await expect(page).toHaveURL(/page=3/);
});

test("a store's outages add up to its red spans and its week's downtime, and its 30-day history shows", async ({ page }) => {
  const id = await openReport(page);
  await page.goto(`/reports/${id}?sort=downtime_last_week&dir=desc`);
  const first = rows(page).first();
  await expect(first.locator("td:nth-child(10)")).not.toHaveText("0.00");
  const weekDown = Number(await first.locator("td:nth-child(10)").innerText());
  await first.getByRole("link").click();

  const outages = page.getByRole("table", { name: "Outages" });
  await expect(outages).toBeVisible();
  const lengths = await outages.locator("tbody tr td:nth-child(3)").allInnerTexts();
  const seconds = lengths.map((t) => {
    const [, h = "0", m = "0", s = "0"] = /^(?:(\d+) h )?(?:(\d+) min )?(\d+) s$/.exec(t.trim())!;
    return Number(h) * 3600 + Number(m) * 60 + Number(s);
  });
  // Each length is rounded to the second: the total is the week's downtime (hours to 2 decimals) to within that.
  expect(Math.abs(seconds.reduce((a, b) => a + b, 0) / 3600 - weekDown)).toBeLessThanOrEqual(0.005 + lengths.length / 3600);
  await expect(page.getByRole("table", { name: "Uptime and downtime" }).locator("tbody tr").nth(2).locator("td").nth(1)).toHaveText(
    `${weekDown.toFixed(2)} h`,
  );
  expect(await page.locator(".span-down").count()).toBeGreaterThanOrEqual(lengths.length);

  await expect(page.getByRole("img", { name: /Daily business-hours uptime/ })).toBeVisible();
  await expect(page.locator(".history-chart rect")).toHaveCount(31);
  await page.getByRole("link", { name: "Show 90 days" }).click();
  await expect(page.locator(".history-chart rect")).toHaveCount(91);
  await expect(page).toHaveURL(/[?&]days=90/); // a shared link shows the same span
});

test("generating a report when nothing changed since the newest one: the page says so and opens it, or generates anyway", async ({
  page,
}) => {
  await openReport(page); // the newest report, of the data as it is
  // The list answers late: a click before it has answered would make a copy unasked, so the button waits for it.
  await page.route("**/api/reports", async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await request.continue();
  });
  await page.goto("/reports");
  await expect(page.getByRole("button", { name: "Generate report" })).toBeDisabled();
  await page.getByRole("button", { name: "Generate report" }).click();
  await expect(page.getByText("Nothing has changed since the newest report.")).toBeVisible();
  const { data } = await (await page.request.get("/api/reports")).json();
  await page.getByRole("link", { name: "Open it" }).click();
  await expect(page).toHaveURL(new RegExp(`/reports/${data.unchangedSince}$`));
  await expect(page.getByRole("img", { name: /Fleet uptime/ }).or(page.getByRole("table", { name: "Report rows" }))).toBeVisible();
});
