import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

const ADMIN_TOKEN = process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789"; // as e2e/serve.ts starts the app

/** Every page of the app, as an admin sees it (the sign-in and password pages as anyone does). */
async function pages(page: Page): Promise<string[]> {
  const { reports } = await (await page.request.get("/api/reports")).json();
  let id = reports.find((r: { status: string }) => r.status === "Complete")?.id as string | undefined;
  if (!id) {
    id = (await (await page.request.post("/trigger_report")).json()).report_id as string;
    await expect
      .poll(async () => (await (await page.request.get(`/get_report?report_id=${id}`)).json()).status, { timeout: 30_000 })
      .toBe("Complete");
  }
  const { rows } = await (await page.request.get(`/api/reports/${id}/rows?pageSize=1`)).json();
  return [
    "/",
    "/reports",
    `/reports/${id}`,
    `/stores/${encodeURIComponent(rows[0].store_id)}?report=${id}`,
    "/admin/upload",
    "/admin/owners",
    "/admin/people",
    "/account/keys",
    "/alerts",
    "/team",
    "/no-such-page",
  ];
}

for (const width of [1280, 390]) {
  test(`at ${width} px: axe finds nothing serious or critical, no page is wider than the screen, every page has its title`, async ({
    browser,
    baseURL,
  }) => {
    test.setTimeout(180_000); // a dozen pages, each waited for and analysed by axe
    const context = await browser.newContext({ baseURL, viewport: { width, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const check = async (path: string) => {
      await page.goto(path);
      await page.waitForLoadState("networkidle");
      const { violations } = await new AxeBuilder({ page }).analyze();
      for (const v of violations.filter((v) => v.impact === "serious" || v.impact === "critical"))
        problems.push(`${path}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (wide > 0) problems.push(`${path}: ${wide} px wider than the screen`);
      expect(await page.title(), path).toMatch(/· Store Monitor$/);
    };
    for (const path of ["/admin/sign-in", "/account/set-password"]) await check(path);
    await page.goto(`/admin/login?token=${encodeURIComponent(ADMIN_TOKEN)}`);
    for (const path of await pages(page)) await check(path);
    await context.close();
    expect(problems).toEqual([]);
  });
}
