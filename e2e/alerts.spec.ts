import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { expect, test } from "@playwright/test";

// The Alerts page as an admin uses it: a rule added, tested against a local receiver, changed and removed, a
// scheduled report rule added; an incident listed there and drawn on its store's timeline.
const ADMIN_TOKEN = process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789";

test("an admin adds, tests, changes and removes a rule; an incident shows in the list and on the store's week", async ({ page }) => {
  const received: string[] = [];
  const receiver = http.createServer((request, response) => {
    let body = "";
    request.on("data", (c) => (body += c));
    request.on("end", () => {
      received.push(`${JSON.parse(body).event} ${request.headers["x-storemon-signature"] ? "signed" : "unsigned"}`);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  // An incident in the data's last day, for the first store that has polls then: two hours down, resolved.
  const db = new pg.Client({ connectionString: fs.readFileSync(".data/e2e-database-url", "utf8") });
  await db.connect();
  const { rows } = await db.query(
    `SELECT store_id, max(timestamp_utc) - interval '20 hours' AS started FROM polls GROUP BY store_id ORDER BY store_id LIMIT 1`,
  );
  const { store_id: storeId, started } = rows[0];
  await db.query("DELETE FROM incidents WHERE store_id = $1", [storeId]);
  await db.query(
    "INSERT INTO incidents (store_id, kind, started_at, opened_at, resolved_at) VALUES ($1, 'down', $2, $2::timestamptz + interval '15 minutes', $2::timestamptz + interval '2 hours')",
    [storeId, started],
  );

  try {
    await page.goto(`/admin/login?token=${encodeURIComponent(ADMIN_TOKEN)}`);
    await page.goto("/alerts");
    // Listed under its store, resolved: from when to when, and how long.
    const incident = page.locator(".incident-store").filter({ hasText: storeId }).getByRole("listitem").first();
    await expect(incident).not.toContainText("ongoing");
    await expect(incident).toContainText("2 h");

    const form = page.getByRole("form", { name: "New rule" });
    await form.getByLabel("Name", { exact: true }).fill("Ops on call");
    await form.getByLabel(/down within its business hours for/).fill("10");
    await form.getByLabel(/Webhook address/).fill(hook);
    await form.getByRole("button", { name: "Add rule" }).click();
    const rules = page.getByRole("table", { name: "Rules" });
    const row = rules.getByRole("row", { name: /Ops on call/ });
    await expect(row).toContainText("every store");
    await expect(row).toContainText("down 10 min");

    await row.getByRole("button", { name: "Test" }).click();
    await expect(page.getByRole("status", { name: "Test results" })).toContainText("delivered");
    expect(received).toEqual(["test signed"]);

    await row.getByRole("button", { name: "Edit" }).click();
    const edit = page.getByRole("form", { name: 'Edit "Ops on call"' });
    await edit.getByLabel(/down within its business hours for/).fill("30");
    await edit.getByRole("button", { name: "Save rule" }).click();
    await expect(row).toContainText("down 30 min");

    await form.getByLabel("Name", { exact: true }).fill("Monday report");
    await form.getByLabel("Send a report on a schedule").check();
    await form.getByRole("combobox", { name: /^Every/ }).selectOption("week");
    await form.getByRole("combobox", { name: /^Weekday/ }).selectOption("0");
    await form.getByLabel(/At \(local time\)/).fill("07:00");
    await form.getByLabel("Time zone").fill("America/Chicago");
    await form.getByLabel(/E-mail addresses/).fill("owner@example.com");
    await form.getByRole("button", { name: "Add rule" }).click();
    await expect(rules.getByRole("row", { name: /Monday report/ })).toContainText("a report every Monday at 07:00 (America/Chicago)");

    page.once("dialog", (d) => d.accept());
    await row.getByRole("button", { name: "Remove" }).click();
    await expect(rules.getByRole("row", { name: /Ops on call/ })).toHaveCount(0);

    // The store's week: the incident drawn on its day's lane.
    await page.goto(`/stores/${encodeURIComponent(storeId)}`);
    const mark = page.locator(".incident-mark");
    await expect(mark).toHaveCount(1);
    await expect(mark).toHaveAttribute("title", /^Incident \(down\): \d\d:\d\d to \d\d:\d\d$/);
  } finally {
    await db.query("DELETE FROM incidents WHERE store_id = $1", [storeId]);
    await db.query("DELETE FROM alert_rules");
    await db.end();
    receiver.close();
  }
});
