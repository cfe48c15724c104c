import { expect, test } from "@playwright/test";

// The API reference at /docs, as someone reading it offline: nothing but this app is reachable, and the page
// still shows every operation of /openapi.json, with the report API first, and opens one's details.
test("/docs renders the OpenAPI description offline, from this app alone", async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const elsewhere: string[] = [];
  await page.route("**/*", (route) => {
    if (new URL(route.request().url()).origin === origin) return route.continue();
    elsewhere.push(route.request().url());
    return route.abort("internetdisconnected");
  });
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(e.message));

  await page.goto("/docs");
  await expect(page.getByRole("heading", { level: 1, name: "API" })).toBeVisible();
  const trigger = page.locator(".opblock-post").filter({ hasText: "/trigger_report" });
  await expect(trigger).toBeVisible({ timeout: 20_000 });
  const described = await (await page.request.get("/openapi.json")).json();
  const count = Object.values(described.paths as Record<string, object>).reduce((n, item) => n + Object.keys(item).length, 0);
  await expect(page.locator(".opblock")).toHaveCount(count);

  await page.locator(".opblock-get").filter({ hasText: "/get_report_file/{id}" }).locator(".opblock-summary").first().click();
  await expect(page.getByText("A scheduled report's signed link").first()).toBeVisible();
  expect(elsewhere).toEqual([]);
  expect(problems).toEqual([]);
});
