import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";

const ADMIN_TOKEN = process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789"; // as e2e/serve.ts starts the app
const PASSWORD = "team spec password 42";

/** What axe finds serious or critical on the page, in words (none expected). */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`);
}

/** Chooses a password on the form a password link leads to. */
async function choosePassword(page: Page, link: string) {
  await page.goto(link);
  await expect(page).toHaveURL(/\/account\/set-password$/);
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByLabel("New password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("New password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Set password" }).click();
}

/** An owner and its manager, invited and made manager by the admin: the manager's link, and how to undo it all. */
async function ownerWithManager(browser: Browser, baseURL: string, slug: string) {
  const context = await browser.newContext({ baseURL });
  const admin = context.request;
  expect((await admin.get(`/admin/login?token=${encodeURIComponent(ADMIN_TOKEN)}`)).ok()).toBe(true);
  const headers = { Origin: baseURL };
  expect((await admin.post("/api/admin/owners", { data: { slug, name: `Team ${slug}` }, headers })).status()).toBe(201);
  const invited = await admin.post("/api/admin/people", {
    data: { email: `${slug}-manager@example.com`, name: "Mara Manager", role: "member", owner: slug },
    headers,
  });
  expect(invited.status()).toBe(201);
  const { person, link } = (await invited.json()) as { person: { id: string }; link: string };
  expect((await admin.put(`/api/admin/owners/${slug}/members/${person.id}`, { data: { role: "manager" }, headers })).ok()).toBe(true);
  const undo = async () => {
    // Everyone goes, so that the app is back in open mode for the other specs.
    const people = (await (await admin.get("/api/admin/people")).json()).people as { id: string }[];
    for (const p of people) await admin.delete(`/api/admin/people/${p.id}`, { headers });
    await admin.delete(`/api/admin/owners/${slug}`, { headers });
    await context.close();
  };
  return { link, undo };
}

for (const [width, height] of [
  [390, 844],
  [1280, 800],
] as const) {
  test(`at ${width} px a manager invites a colleague, who chooses a password and is on the home page, signed in`, async ({
    browser,
    baseURL,
  }) => {
    const slug = `team-${width}-${Date.now()}`;
    const { link, undo } = await ownerWithManager(browser, baseURL!, slug);
    const managerContext = await browser.newContext({ baseURL, viewport: { width, height } });
    const colleagueContext = await browser.newContext({ baseURL, viewport: { width, height } });
    try {
      const manager = await managerContext.newPage();
      await choosePassword(manager, link);
      await expect(manager).toHaveURL(/\/$/);

      await manager.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
      await expect(manager.getByRole("heading", { name: "Team", level: 1 })).toBeVisible();
      const team = manager.getByRole("list", { name: `Team ${slug}'s team` });
      await expect(team.getByRole("listitem")).toHaveCount(1);
      await expect(team).toContainText("Mara Manager (you)");
      await expect(team).toContainText(/Last sign-in: \w{3}, \w{3} \d+, \d{2}:\d{2} \S+/); // in the viewer's zone, named
      expect(await seriousViolations(manager)).toEqual([]);

      const form = manager.getByRole("form", { name: "Invite someone" });
      await form.getByLabel("Name").fill("Colin Colleague");
      await form.getByLabel("E-mail").fill(`${slug}-colin@example.com`);
      await form.getByRole("button", { name: "Invite" }).click();
      // The browser tests' server names a mail server that is not there (e2e/serve.ts): the link is handed over, and why.
      await expect(
        manager.getByText(/(No e-mail is sent from this server|The e-mail could not be sent \(.+\)): hand this link to/),
      ).toBeVisible();
      const invitation = (await manager.locator(".once code").innerText()).trim();
      expect(invitation).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/account\/password\?token=/);
      await expect(team.getByRole("listitem")).toHaveCount(2);
      await expect(team).toContainText("invited, no password yet");
      const overflow = await manager.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, "px wider than the screen").toBeLessThanOrEqual(0);
      expect(await seriousViolations(manager)).toEqual([]);

      const colleague = await colleagueContext.newPage();
      await choosePassword(colleague, invitation);
      await expect(colleague).toHaveURL(/\/$/);
      await expect(colleague.getByRole("heading", { name: "Your stores now", level: 1 })).toBeVisible();
      await expect(colleague.locator(".account-name")).toContainText("Colin Colleague");
      await expect(colleague.getByRole("link", { name: "Team" })).toHaveCount(0); // a plain member
    } finally {
      await managerContext.close();
      await colleagueContext.close();
      await undo();
    }
  });
}

test("the skip link is the home page's first Tab stop, shown when focused, and moves focus to the main content", async ({ page }) => {
  await page.goto("/");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  const box = (await skip.boundingBox())!;
  expect(box.y, "the focused skip link is on the screen").toBeGreaterThanOrEqual(0);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("main")).toBeFocused();
  // The next Tab goes on from the content, not from the top of the header.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => !!document.activeElement?.closest("main"))).toBe(true);
});
