import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { addOwnerAndPick } from "./helpers";

const ADMIN_TOKEN = process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789"; // as e2e/serve.ts starts the app
const PASSWORD = "exports spec password 42";
// Each test walks several pages and checks each with axe at two widths (a report's page is a large one).
test.describe.configure({ timeout: 150_000 });

const SIZES = [
  [390, 844],
  [1280, 800],
] as const;

/** Nothing axe finds serious or critical on the page, at a phone's width and a desktop's. */
async function accessibleAtBothSizes(page: Page) {
  for (const [width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(
      violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`),
      `at ${width} px`,
    ).toEqual([]);
  }
}

// A colleague is sent a link to a report's filtered, sorted view. Signed out, they land on a sign-in page that says
// what it is for; once signed in they are on the very view that was shared. The accounts made here are removed at
// the end, so that the app is back in open mode for the other specs.
test("a signed-out colleague opens a shared filtered report link, signs in, and lands on the same filtered view", async ({
  browser,
  baseURL,
}) => {
  const adminContext = await browser.newContext({ baseURL });
  const admin = adminContext.request;
  expect((await admin.get(`/admin/login?token=${encodeURIComponent(ADMIN_TOKEN)}`)).ok()).toBe(true);
  const { report_id: id } = await (await admin.post("/trigger_report", { headers: { Origin: baseURL! } })).json();
  await expect
    .poll(async () => (await (await admin.get(`/get_report?report_id=${id}`)).json()).status, { timeout: 30_000 })
    .toBe("Complete");
  const email = `colleague-${Date.now()}@example.com`;
  const invited = await admin.post("/api/admin/people", {
    data: { email, name: "Chris Colleague", role: "admin" },
    headers: { Origin: baseURL! },
  });
  expect(invited.status()).toBe(201);
  const { link } = (await invited.json()) as { link: string };

  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("New password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Set password" }).click(); // which signs them in
  await expect(page).toHaveURL(/\/$/);
  await context.clearCookies(); // the colleague, signed out, opens a link shared with them

  // The shared link: stores with downtime in the last day whose name has "Diner", by name, Z to A.
  const shared = `/reports/${id}?sort=name&dir=desc&q=Diner&only=down_day`;
  await page.goto(shared);
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=/);
  await expect(page.getByRole("heading", { name: "Sign in to see this report", level: 1 })).toBeVisible();
  const words = await page.locator("main").innerText();
  expect(words).not.toMatch(/API key|curl|Bearer/i);
  await accessibleAtBothSizes(page);

  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(`${baseURL}${shared}`);
  await expect(page.getByRole("heading", { name: /Stores · with downtime in the last day/ })).toBeVisible();
  await expect(page.getByLabel("Find a store by name or id")).toHaveValue("Diner");
  await expect(page.getByRole("columnheader", { name: /Store/ }).first()).toHaveAttribute("aria-sort", "descending");
  const links = page.getByRole("table", { name: "Report rows" }).locator("tbody tr td:first-child a");
  await expect(links.first()).toBeVisible();
  const names = (await links.allInnerTexts()).map((n) => n.trim());
  for (const name of names) expect(name).toContain("Diner");

  // The spreadsheet beside the contract's CSV carries the same view.
  const spreadsheet = page.getByRole("link", { name: "Spreadsheet (names, filters applied)" });
  await expect(spreadsheet).toHaveAttribute("href", `/api/reports/${id}/spreadsheet?sort=name&dir=desc&q=Diner&only=down_day`);
  await expect(page.getByRole("link", { name: "API CSV (contract)" })).toHaveAttribute("href", `/get_report_file/${id}`);
  const [download] = await Promise.all([page.waitForEvent("download"), spreadsheet.click()]);
  expect(download.suggestedFilename()).toMatch(/^store-uptime_\d{4}-\d{2}-\d{2}_to_\d{4}-\d{2}-\d{2}\.csv$/);
  await accessibleAtBothSizes(page);

  const people = (await (await admin.get("/api/admin/people")).json()).people as { id: string }[];
  for (const person of people) await admin.delete(`/api/admin/people/${person.id}`, { headers: { Origin: baseURL! } });
  await Promise.all([context.close(), adminContext.close()]);
});

test("an admin assigns three stores found by name to an owner, and removes one", async ({ page, baseURL }) => {
  await page.goto(`/admin/login?token=${encodeURIComponent(ADMIN_TOKEN)}`);
  const found = (await (await page.request.get("/api/admin/stores?q=Diner&pageSize=3")).json()).stores as { name: string }[];
  expect(found).toHaveLength(3);
  const slug = `exports-${Date.now()}`;
  await page.goto("/admin/owners");
  const assign = await addOwnerAndPick(
    page,
    "Export Eats",
    slug,
    found.map(({ name }) => ({ search: name, pick: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `) })),
  );
  await assign.getByRole("button", { name: "Assign 3 stores to Export Eats" }).click();
  await expect(assign.getByText("3 stores assigned.")).toBeVisible();
  const owned = page.getByRole("region", { name: "Export Eats's stores" });
  const list = owned.getByRole("list", { name: "Export Eats's stores" });
  await expect(list.getByRole("checkbox")).toHaveCount(3);
  for (const { name } of found) await expect(list).toContainText(name);
  await accessibleAtBothSizes(page);

  await list.getByRole("checkbox").first().check();
  await owned.getByRole("button", { name: "Remove 1 store from Export Eats" }).click();
  await expect(owned.getByText("1 store removed.")).toBeVisible();
  await expect(list.getByRole("checkbox")).toHaveCount(2);
  await expect(page.getByRole("table", { name: "Owners" }).getByRole("row", { name: /Export Eats/ })).toContainText("2");

  await page.request.delete(`/api/admin/owners/${slug}`, { headers: { Origin: baseURL! } });
});

test("an upload of two files at once: each file's result on its own line, the bad one named with its line, field and value", async ({
  page,
}) => {
  await page.goto(`/admin/login?token=${encodeURIComponent(ADMIN_TOKEN)}`);
  await expect(page.getByRole("heading", { name: "Upload feeds" })).toBeVisible();
  await page.getByLabel("Choose CSV files").setInputFiles([
    { name: "timezones.csv", mimeType: "text/csv", buffer: Buffer.from("store_id,timezone_str\ne2e-upload-1,America/Chicago\n") },
    {
      name: "menu_hours.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("store_id,dayOfWeek,start_time_local,end_time_local\ne2e-upload-1,9,09:00:00,17:00:00\n"),
    },
  ]);
  const files = page.getByRole("list", { name: "Files to upload" });
  await expect(files.getByRole("listitem")).toHaveCount(2);
  await page.getByRole("button", { name: "Upload all 2 files" }).click();
  const good = files.getByRole("listitem", { name: "timezones.csv" });
  const bad = files.getByRole("listitem", { name: "menu_hours.csv" });
  await expect(good.getByRole("status")).toContainText("timezones.csv loaded: 1 rows read");
  await expect(bad.getByRole("alert")).toContainText("menu_hours.csv was not loaded");
  await expect(bad.getByRole("alert")).toContainText(
    'menu_hours.csv line 2, column day: expected a day of the week from 0 (Monday) to 6 (Sunday) (got "9")',
  );
  await expect(page.getByText("1 of 2 uploaded files loaded; not loaded: menu_hours.csv.")).toBeVisible();
  await accessibleAtBothSizes(page);
});
