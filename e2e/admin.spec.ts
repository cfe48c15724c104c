import { expect, test, type Page } from "@playwright/test";

const ADMIN_TOKEN = process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789"; // as e2e/serve.ts starts the app

/** The bootstrap admin's form, folded away under the people's sign-in form. */
async function signInWithToken(page: Page, token: string) {
  await page.getByText("Sign in with the admin token").click();
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Sign in as admin" }).click();
}

test("an admin signs in, uploads a polls file and a bad file, and sees both outcomes and the history", async ({ page }) => {
  await page.goto("/admin/upload");
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=/);

  await signInWithToken(page, "not the token");
  await expect(page.locator(".notice-error")).toContainText("not the admin token");
  await signInWithToken(page, ADMIN_TOKEN);
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
    {
      name: "bad_hours.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("store_id,dayOfWeek,start_time_local,end_time_local\ns1,9,09:00:00,17:00:00\n"),
    },
  ]);

  const polls = page.getByRole("listitem", { name: "new_polls.csv" });
  const hours = page.getByRole("listitem", { name: "bad_hours.csv" });
  await expect(polls.getByLabel("Kind")).toHaveValue("polls");
  await expect(hours.getByLabel("Kind")).toHaveValue("business_hours");

  await polls.getByRole("button", { name: "Upload" }).click();
  await expect(polls.getByRole("status")).toContainText("new_polls.csv loaded: 3 rows read, 3 added, 0 duplicate");
  await hours.getByRole("button", { name: "Upload" }).click();
  await expect(hours.getByRole("alert")).toContainText(
    "bad_hours.csv line 2, column day: expected a day of the week from 0 (Monday) to 6 (Sunday)",
  );
  await expect(hours.getByRole("alert")).toContainText("nothing was loaded");

  const history = page.getByRole("table", { name: "Import history" });
  await expect(history.locator("tbody tr").first()).toContainText("bad_hours.csv");
  await expect(history.locator("tbody tr").first()).toContainText("rejected");
  await expect(history.locator("tbody tr").nth(1)).toContainText("new_polls.csv");
  await expect(history.locator("tbody tr").nth(1)).toContainText("loaded");

  // A report with the new data is one press away.
  await page.getByRole("button", { name: "Generate a report with the new data" }).click();
  await expect(page).toHaveURL(/\/reports\/[\w-]{22}$/);
  await expect(page.getByRole("heading", { name: /Report as of/ })).toBeVisible();

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/sign-in/);
  await page.goto("/admin/upload");
  await expect(page).toHaveURL(/\/admin\/sign-in/);
});

test("the sign-in link signs in at once, and the token is left in no address and no page", async ({ page }) => {
  await page.goto(`/admin/login?token=${encodeURIComponent(ADMIN_TOKEN)}`);
  await expect(page).toHaveURL(/\/admin\/upload$/);
  await expect(page.getByRole("heading", { name: "Upload feeds" })).toBeVisible();
  expect(await page.content()).not.toContain(ADMIN_TOKEN);
});

test("the printed sign-in link carries the token in its fragment, which no server sees: the page signs in with it and drops it", async ({
  page,
}) => {
  const sent: string[] = [];
  page.on("request", (r) => sent.push(r.url()));
  await page.goto(`/admin/sign-in#token=${encodeURIComponent(ADMIN_TOKEN)}`);
  await expect(page).toHaveURL(/\/admin\/upload$/);
  await expect(page.getByRole("heading", { name: "Upload feeds" })).toBeVisible();
  expect(sent.filter((url) => url.includes(ADMIN_TOKEN))).toEqual([]); // not in any address asked for
  await page.goBack();
  expect(page.url()).not.toContain(ADMIN_TOKEN); // nor left in the history
});

// The probes of the security issue: each `next` would send the signed-in browser to another site.
for (const next of [
  "/\\127.0.0.1:3999/x",
  "/%09/127.0.0.1:3999/x",
  "//127.0.0.1:3999/x",
  "/%5C127.0.0.1:3999/x",
  "https://127.0.0.1:3999/x",
]) {
  test(`after signing in with next=${next} the browser stays on this site, at /`, async ({ page, baseURL }) => {
    await page.goto(`/admin/sign-in?next=${next}`);
    await signInWithToken(page, ADMIN_TOKEN);
    await expect(page).toHaveURL(`${baseURL}/`);
  });
}

test("signing out everywhere ends the session in another browser too", async ({ browser, baseURL }) => {
  const [here, there] = [await browser.newContext({ baseURL }), await browser.newContext({ baseURL })];
  const [a, b] = [await here.newPage(), await there.newPage()];
  for (const page of [a, b]) {
    await page.goto(`/admin/login?token=${encodeURIComponent(ADMIN_TOKEN)}`);
    await expect(page.getByRole("heading", { name: "Upload feeds" })).toBeVisible();
  }
  await a.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(a).toHaveURL(/\/admin\/sign-in/);
  await b.goto("/admin/upload");
  await expect(b).toHaveURL(/\/admin\/sign-in/);
  await Promise.all([here.close(), there.close()]);
});
