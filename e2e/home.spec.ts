import AxeBuilder from "@axe-core/playwright";
import { acceptInvitation } from "./helpers";
import { expect, test, type Browser } from "@playwright/test";

const ADMIN_TOKEN = process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789"; // as e2e/serve.ts starts the app
const PASSWORD = "home spec password 42";

interface Ongoing {
  storeId: string;
  name: string | null;
  state: string;
}

/**
 * An owner with three stores, one of them down now, and a member of it invited by the admin: what a first-time
 * member's home shows. Returns the member's invitation link, the store down now, and how to undo it all (so that
 * the app is back in open mode for the other specs).
 */
async function ownerWithAStoreDown(browser: Browser, baseURL: string, slug: string) {
  const context = await browser.newContext({ baseURL });
  const admin = context.request;
  expect((await admin.get(`/admin/login?token=${encodeURIComponent(ADMIN_TOKEN)}`)).ok()).toBe(true);
  const send = (path: string, data: unknown) => admin.post(path, { data, headers: { Origin: baseURL } });
  const now = (await (await admin.get("/api/fleet/now")).json()) as { ongoing: Ongoing[] };
  const down = now.ongoing.find((o) => o.state === "down");
  expect(down, "the generated data has a store down at its newest poll").toBeDefined();
  const { stores } = (await (await admin.get("/api/fleet/periods")).json()) as { stores: { storeId: string; state: string }[] };
  const others = stores.filter((s) => s.state === "up").slice(0, 2);
  expect((await send("/api/admin/owners", { slug, name: `Home ${slug}` })).status()).toBe(201);
  expect((await send(`/api/admin/owners/${slug}/stores`, { storeIds: [down!.storeId, ...others.map((s) => s.storeId)] })).ok()).toBe(true);
  const invited = await send("/api/admin/people", { email: `${slug}@example.com`, name: "Robin Home", role: "member", owner: slug });
  expect(invited.status()).toBe(201);
  const { link } = (await invited.json()) as { link: string };
  const undo = async () => {
    const people = (await (await admin.get("/api/admin/people")).json()).people as { id: string }[];
    for (const person of people) await admin.delete(`/api/admin/people/${person.id}`, { headers: { Origin: baseURL } });
    await admin.delete(`/api/admin/owners/${slug}`, { headers: { Origin: baseURL } });
    await context.close();
  };
  return { link, down: down!, undo };
}

for (const [width, height] of [
  [390, 844],
  [1280, 800],
] as const) {
  test(`at ${width} px a first-time member lands on their stores now: the one down, since when, this week against the last`, async ({
    browser,
    baseURL,
  }) => {
    const slug = `home-${width}-${Date.now()}`;
    const { link, down, undo } = await ownerWithAStoreDown(browser, baseURL!, slug);
    const context = await browser.newContext({ baseURL, viewport: { width, height } });
    const page = await context.newPage();
    try {
      // The member chooses a password through the invitation and signs in: the home is where they land.
      await acceptInvitation(page, link, PASSWORD);
      await expect(page.getByRole("heading", { name: "Your stores now", level: 1 })).toBeVisible();

      // The store down now, with since when and for how long, within the first screen and a half, without a click.
      const card = page
        .getByRole("list", { name: "Stores down or without data now" })
        .getByRole("listitem")
        .filter({ hasText: down.name ?? down.storeId });
      await expect(card).toBeVisible();
      await expect(card).toContainText("Down");
      await expect(card.locator("time")).toHaveText(/\d{2}:\d{2} \S+/); // a time and its zone
      await expect(card).toContainText(/\d+ (min|h|d).* in business hours, ongoing/);
      const box = (await card.boundingBox())!;
      expect(box.y + box.height, "the card's bottom, in px from the top of the page").toBeLessThanOrEqual(1.5 * height);

      // This week against the 7 days before, with both periods' dates.
      const comparison = page.getByRole("table", { name: "This week against the 7 days before" });
      await expect(comparison).toBeVisible();
      await expect(comparison.getByRole("columnheader", { name: /This week [A-Z][a-z]{2} \d/ })).toBeVisible();
      await expect(comparison.getByRole("columnheader", { name: /Before [A-Z][a-z]{2} \d/ })).toBeVisible();
      await expect(page.getByRole("list", { name: "Stores this week" }).getByRole("listitem")).toHaveCount(3);

      // Nothing wider than the screen (what a box that clips its overflow cuts off is not seen), and nothing axe finds serious.
      const wider = await page.evaluate(() =>
        [...document.querySelectorAll("body *")]
          .filter((e) => {
            let right = e.getBoundingClientRect().right;
            for (let a = e.parentElement; a; a = a.parentElement)
              if (getComputedStyle(a).overflowX !== "visible") right = Math.min(right, a.getBoundingClientRect().right);
            return right > window.innerWidth + 0.5;
          })
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
      );
      expect(wider).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      const { violations } = await new AxeBuilder({ page }).analyze();
      expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`)).toEqual([]);

      // One tap reaches the store's page.
      await card.getByRole("link", { name: down.name ?? down.storeId }).click();
      await expect(page).toHaveURL(new RegExp(`/stores/${encodeURIComponent(down.storeId)}$`));
      await expect(page.getByRole("heading", { name: down.name ?? `Store ${down.storeId}`, level: 1 })).toBeVisible();
    } finally {
      await context.close();
      await undo();
    }
  });
}

test.describe("the clock", () => {
  test.use({ timezoneId: "Europe/Paris" });

  test("each store's zone by default, the viewer's when chosen (named), remembered in this browser", async ({ page }) => {
    await page.goto("/");
    const time = page.getByRole("list", { name: "Stores down or without data now" }).locator("time").first();
    await expect(time).toBeVisible();
    const storeTime = await time.innerText();
    await expect(page.getByLabel(/each store's zone/)).toBeChecked();
    await page.getByLabel("my zone (Europe/Paris)").check();
    await expect(time).toHaveText(/GMT\+2$/); // Paris in October, in the browser's words
    await page.reload();
    await expect(page.getByLabel("my zone (Europe/Paris)")).toBeChecked();
    await expect(time).toHaveText(/GMT\+2$/);
    await page.getByLabel(/each store's zone/).check();
    await expect(time).toHaveText(storeTime);
  });
});
