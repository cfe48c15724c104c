import { expect, test } from "@playwright/test";

const ADMIN_TOKEN = process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789"; // as e2e/serve.ts starts the app

test("an admin signs in, uploads a polls file and a bad file, and sees both outcomes and the history", async ({ page }) => {
  await page.goto("/admin/upload");
  await expect(page).toHaveURL(/\/admin\/login\?next=/);

  await page.getByLabel("Admin token").fill("not the token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(".notice-error")).toContainText("not the admin token");
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Upload feeds" })).toBeVisible();

  const stamp = Date.now();
  await page.getByLabel("Choose CSV files").setInputFiles([
    {
      name: "new_polls.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        `store_id,status,timestamp_utc\ne2e-${stamp},active,2024-10-14 10:00:00 UTC\ne2e-${stamp},inactive,2024-10-14 11:00:00 UTC\ne2e-${stamp},active,2024-10-14 12:00:00.5 UTC\n`,
      ),
    },
    { name: "bad_hours.csv", mimeType: "text/csv", buffer: Buffer.from("store_id,dayOfWeek,start_time_local,end_time_local\ns1,9,09:00:00,17:00:00\n") },
  ]);

  const polls = page.getByRole("listitem", { name: "new_polls.csv" });
  const hours = page.getByRole("listitem", { name: "bad_hours.csv" });
  await expect(polls.getByLabel("Kind")).toHaveValue("polls");
  await expect(hours.getByLabel("Kind")).toHaveValue("business_hours");

  await polls.getByRole("button", { name: "Upload" }).click();
  await expect(polls.getByRole("status")).toContainText("Loaded: 3 rows read, 3 added, 0 duplicate");
  await hours.getByRole("button", { name: "Upload" }).click();
  await expect(hours.getByRole("alert")).toContainText("bad_hours.csv line 2, column day: expected a day of the week from 0 (Monday) to 6 (Sunday)");
  await expect(hours.getByRole("alert")).toContainText("nothing was loaded");

  const history = page.getByRole("table", { name: "Import history" });
  await expect(history.locator("tbody tr").first()).toContainText("bad_hours.csv");
  await expect(history.locator("tbody tr").first()).toContainText("rejected");
  await expect(history.locator("tbody tr").nth(1)).toContainText("new_polls.csv");
  await expect(history.locator("tbody tr").nth(1)).toContainText("loaded");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/admin\/login/);
  await page.goto("/admin/upload");
  await expect(page).toHaveURL(/\/admin\/login/);
});
