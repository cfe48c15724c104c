import { expect, test, type Page } from "@playwright/test";
import { pressGenerate } from "./helpers";

// Every page a person opens passes its Content-Security-Policy (no violation, no blocked script: the pages
// work), and every response carries the security headers.

/** Records CSP violations the page reports, from before its first script runs. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("reportViolation", (text: string) => violations.push(text));
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { reportViolation(t: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`),
    ),
  );
  page.on("console", (m) => m.type() === "error" && /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
  return violations;
}

test("every page passes its Content-Security-Policy and works", async ({ page }) => {
  const violations = await watchViolations(page);
  const first = await page.goto("/");
  expect(first!.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'.*frame-ancestors 'none'/);
  // Scripts run: the home fetches and shows the stores now; the reports page shows the reports, and a report is
  // generated and opened.
  await expect(page.getByRole("heading", { name: "Your stores now", level: 1 })).toBeVisible();
  await expect(page.getByText(/updated \d+ s ago/)).toBeVisible();
  await page.goto("/reports");
  const response = await pressGenerate(page);
  const { report_id: id } = (await response.json()) as { report_id: string };
  await expect(page.locator(`tr[data-report-id="${id}"]`).getByText("Complete")).toBeVisible({ timeout: 30_000 });
  await page.goto(`/reports/${id}`);
  await expect(page.getByRole("table", { name: "Report rows" })).toBeVisible();
  const store = (await page.getByRole("table", { name: "Report rows" }).locator("tbody tr td .store-id").first().innerText()).trim();
  await page.goto(`/stores/${encodeURIComponent(store)}?report=${id}`);
  await expect(page.getByText(store).first()).toBeVisible();
  await page.goto("/admin/login");
  await expect(page.getByRole("button", { name: /sign in/i })).toBeVisible();
  // The admin's page, through the sign-in link (the token is exchanged at once; the page shows the history).
  await page.goto(`/admin/login?token=${process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789"}`);
  await expect(page).toHaveURL(/\/admin\/upload$/);
  await expect(page.getByRole("heading", { name: "Import history" })).toBeVisible();
  for (const [path, heading] of [
    ["/admin/owners", "Owners"],
    ["/admin/people", "People"],
    ["/account/keys", "Keys"],
    ["/account/set-password", "Choose your password"],
  ]) {
    await page.goto(path!);
    await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
  }
  await page.goto("/no-such-page");
  expect(violations).toEqual([]);
});

test("every response carries the security headers: pages, JSON, CSV and errors", async ({ request }) => {
  const id = ((await (await request.post("/trigger_report")).json()) as { report_id: string }).report_id;
  for (const path of [
    "/",
    "/reports",
    "/admin/sign-in",
    "/api/reports",
    `/api/reports/${id}`,
    "/api/health",
    "/no-such-page",
    `/get_report?report_id=${id}`,
    `/get_report_file/${id}`,
    "/get_report?report_id=bad",
  ]) {
    const headers = (await request.get(path, { maxRedirects: 0 })).headers();
    expect(headers, path).toMatchObject({
      "x-content-type-options": "nosniff",
      "referrer-policy": "strict-origin-when-cross-origin",
      "x-frame-options": "DENY",
    });
    expect(headers["permissions-policy"], path).toContain("camera=()");
    expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
  }
});
