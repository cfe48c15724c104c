import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import pg from "pg";
import { acceptInvitation } from "./helpers";
import { expect, test, type Page } from "@playwright/test";

// A member with a store down: on its page they see its ongoing incident, acknowledge it, and mute the store for an
// hour; who and until are shown there and on the Alerts page, where they pick that store by name for a rule. At a
// phone's width and a desk's.
const ADMIN_TOKEN = process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789"; // as e2e/serve.ts starts the app
const PASSWORD = "incidents spec password 42";

/** Nothing axe finds serious or critical on the page as it is now. */
async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

for (const [width, height] of [
  [390, 844],
  [1280, 800],
] as const) {
  test(`at ${width} px a member acknowledges their store's ongoing incident and mutes the store for an hour`, async ({
    browser,
    baseURL,
  }) => {
    test.setTimeout(120_000); // three pages checked by axe, on a busy machine
    const slug = `incidents-${width}-${Date.now()}`;
    const email = `${slug}@example.com`;
    const admin = (await browser.newContext({ baseURL })).request;
    expect((await admin.get(`/admin/login?token=${encodeURIComponent(ADMIN_TOKEN)}`)).ok()).toBe(true);
    const send = (path: string, data: unknown) => admin.post(path, { data, headers: { Origin: baseURL! } });

    // A store down at its newest poll, given to a new owner, with an incident open since it went down.
    const db = new pg.Client({ connectionString: fs.readFileSync(".data/e2e-database-url", "utf8") });
    await db.connect();
    const { rows } = await db.query(
      `SELECT p.store_id AS "storeId", coalesce(s.name, p.store_id) AS name, p.last_poll_at AS since
       FROM poll_stores p LEFT JOIN stores s USING (store_id) LEFT JOIN store_mutes m USING (store_id)
       WHERE NOT p.last_active AND s.owner_id IS NULL AND m.store_id IS NULL ORDER BY p.store_id LIMIT 1`,
    );
    const down = rows[0] as { storeId: string; name: string; since: Date };
    expect(down, "the generated data has a store down at its newest poll").toBeDefined();
    expect((await send("/api/admin/owners", { slug, name: `Owner ${slug}` })).status()).toBe(201);
    expect((await send(`/api/admin/owners/${slug}/stores`, { storeIds: [down.storeId] })).ok()).toBe(true);
    // The data is from the past: the minute's round, evaluating the store now, would find it silent rather than down
    // and resolve the incident. So the store is left out of the rounds (its changes and next check dropped).
    await db.query("DELETE FROM incidents WHERE store_id = $1", [down.storeId]);
    await db.query("DELETE FROM alert_changes WHERE store_id = $1", [down.storeId]);
    await db.query(
      "INSERT INTO incidents (store_id, kind, started_at, opened_at) VALUES ($1, 'down', $2, $2::timestamptz + interval '15 minutes')",
      [down.storeId, down.since],
    );
    await db.query("DELETE FROM alert_checks WHERE store_id = $1", [down.storeId]);
    const invited = await send("/api/admin/people", { email, name: "Ana Incidents", role: "member", owner: slug });
    expect(invited.status()).toBe(201);
    const { link } = (await invited.json()) as { link: string };

    const context = await browser.newContext({ baseURL, viewport: { width, height } });
    const page = await context.newPage();
    try {
      await acceptInvitation(page, link, PASSWORD);

      // The store's page: its incident timeline, the ongoing one first, its start on a labelled clock.
      await page.goto(`/stores/${encodeURIComponent(down.storeId)}`);
      const timeline = page.getByRole("list", { name: "Incidents, open ones first, then the newest" });
      const incident = timeline.getByRole("listitem").first();
      await expect(incident).toContainText("Down");
      await expect(incident).toContainText("ongoing");
      await expect(incident).toContainText(/\d{2}:\d{2} [A-Z]{2,5}|GMT[+-]\d/);
      await expectAccessible(page);

      await incident.getByPlaceholder("Note (optional)").fill("calling the manager");
      await incident.getByRole("button", { name: "Acknowledge" }).click();
      await expect(incident).toContainText(new RegExp(`Acknowledged by ${email} at .*\\d{2}:\\d{2} \\S+: .calling the manager.`));

      await page.getByRole("group", { name: "Mute notifications for this store" }).getByRole("button", { name: "1 hour" }).click();
      const muted = page.getByRole("note").filter({ hasText: "Muted until" });
      await expect(muted).toContainText(new RegExp(`Muted until .*\\d{2}:\\d{2} \\S+ by ${email}`));
      await expect(page.getByRole("button", { name: "Unmute" })).toBeVisible();
      await expectAccessible(page);

      // The Alerts page: the store's group, with its mute and the acknowledgement.
      await page.goto("/alerts");
      const group = page.getByRole("region", { name: `Incidents of ${down.name}` });
      await expect(group.getByRole("note")).toContainText(`by ${email}`);
      await expect(group.getByRole("listitem").first()).toContainText(`Acknowledged by ${email}`);
      const wider = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(wider, "px the page is wider than the screen").toBeLessThanOrEqual(0);
      await expectAccessible(page);

      // A rule for that store alone, the store picked by its name (the form sends its id).
      const form = page.getByRole("form", { name: "New rule" });
      await form.getByLabel("Name", { exact: true }).fill(`Night shift ${width}`);
      await form.getByLabel("Find a store by name or id").fill(down.name.slice(0, 8));
      await form.getByRole("button", { name: `Add ${down.name}` }).click();
      await expect(form.getByRole("list", { name: "Stores chosen" })).toContainText(down.name);
      await form.getByLabel(/Webhook address/).fill("https://hooks.example.com/night");
      await form.getByRole("button", { name: "Add rule" }).click();
      const rule = page.getByRole("table", { name: "Rules" }).getByRole("row", { name: new RegExp(`Night shift ${width}`) });
      await expect(rule).toContainText("(1 listed)");
    } finally {
      await context.close();
      await db.query("DELETE FROM store_mutes WHERE store_id = $1", [down.storeId]);
      await db.end();
      const people = (await (await admin.get("/api/admin/people")).json()).people as { id: string }[];
      for (const person of people) await admin.delete(`/api/admin/people/${person.id}`, { headers: { Origin: baseURL! } });
      await admin.delete(`/api/admin/owners/${slug}`, { headers: { Origin: baseURL! } });
    }
  });
}
