import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { addOwnerAndPick } from "./helpers";

const ADMIN_TOKEN = process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789"; // as e2e/serve.ts starts the app
const PASSWORD = "owners spec password 42";

// An admin makes an owner with three stores and invites a member of it; the member chooses a password, signs in,
// sees only those stores in a report and its CSV, cannot reach the upload page, and signs out. The accounts made
// here are removed at the end, so that the app is back in open mode for the other specs.
test("an invited owner's member sees only their stores, in the report and its CSV, and signs out for good", async ({
  browser,
  baseURL,
}) => {
  const adminContext = await browser.newContext({ baseURL });
  const admin = await adminContext.newPage();
  await admin.goto(`/admin/login?token=${encodeURIComponent(ADMIN_TOKEN)}`);
  await expect(admin.getByRole("heading", { name: "Upload feeds" })).toBeVisible();

  // A complete report, and three of its stores.
  const { report_id: reportId } = await (await admin.request.post("/trigger_report", { headers: { Origin: baseURL! } })).json();
  await expect
    .poll(async () => (await (await admin.request.get(`/get_report?report_id=${reportId}`)).json()).status, { timeout: 30_000 })
    .toBe("Complete");
  const rows = (await (await admin.request.get(`/api/reports/${reportId}/rows?pageSize=3`)).json()).rows as { store_id: string }[];
  const mine = rows.map((r) => r.store_id).sort();

  const slug = `spec-${Date.now()}`;
  await admin.getByRole("link", { name: "Owners" }).click();
  await expect(admin.getByRole("heading", { name: "Owners", level: 1 })).toBeVisible();
  const assign = await addOwnerAndPick(
    admin,
    "Spec Burgers",
    slug,
    mine.map((id) => ({ search: id, pick: new RegExp(`\\b${id}\\b`) })),
  );
  await assign.getByRole("button", { name: "Assign 3 stores to Spec Burgers" }).click();
  await expect(admin.getByText("3 stores assigned.")).toBeVisible();

  await admin.getByRole("link", { name: "People" }).click();
  await expect(admin.getByRole("heading", { name: "People", level: 1 })).toBeVisible();
  const email = `${slug}@example.com`;
  await admin.getByLabel("Name", { exact: true }).fill("Sam Spec");
  await admin.getByLabel("E-mail").fill(email);
  await admin
    .getByRole("form", { name: "Invite someone" })
    .getByRole("combobox", { name: /^Owner/ })
    .selectOption(slug);
  await admin.getByRole("button", { name: "Invite" }).click();
  const link = (await admin.locator(".once code").innerText()).trim();
  expect(link).toContain("/account/password?token=");
  await expect(admin.getByRole("table", { name: "People" })).toContainText("(invited)");

  // The member, in a browser of their own.
  const memberContext = await browser.newContext({ baseURL });
  const member = await memberContext.newPage();
  await member.goto(link);
  await expect(member).toHaveURL(/\/account\/set-password$/); // the token is in no address any more
  await member.getByLabel("New password", { exact: true }).fill(PASSWORD);
  await member.getByLabel("New password again").fill(PASSWORD);
  await member.getByRole("button", { name: "Set password" }).click(); // signed in with it, on the home
  await expect(member).toHaveURL(/\/$/);
  await expect(member.getByText("Sam Spec")).toBeVisible();
  await expect(member.getByRole("link", { name: "Upload feeds" })).toHaveCount(0);

  await member.goto(`/reports/${reportId}`);
  const table = member.getByRole("table", { name: "Report rows" });
  await expect(table.locator("tbody tr")).toHaveCount(3);
  expect((await table.locator("tbody tr td .store-id").allInnerTexts()).map((t) => t.trim()).sort()).toEqual(mine);
  const [download] = await Promise.all([member.waitForEvent("download"), member.getByRole("link", { name: "API CSV (contract)" }).click()]);
  const csv = fs
    .readFileSync((await download.path())!, "utf8")
    .trim()
    .split("\n");
  expect(csv[0]).toBe(
    "store_id,uptime_last_hour(in minutes),uptime_last_day(in hours),uptime_last_week(in hours),downtime_last_hour(in minutes),downtime_last_day(in hours),downtime_last_week(in hours)",
  );
  expect(csv.slice(1).map((line) => line.split(",")[0])).toEqual(mine);

  const upload = await member.goto("/admin/upload");
  expect(upload!.status()).toBe(404);

  const cookies = await memberContext.cookies();
  await member.goto("/");
  await member.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(member).toHaveURL(/\/admin\/sign-in/);
  // The old session cookie, sent again, no longer signs anyone in.
  const old = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  expect((await member.request.get("/api/account", { headers: { Cookie: old } })).ok()).toBe(true);
  expect((await (await member.request.get("/api/account", { headers: { Cookie: old } })).json()).kind).not.toBe("member");
  expect((await member.request.get(`/api/reports/${reportId}/rows`, { headers: { Cookie: old } })).status()).toBe(401);

  // Back to open mode for the other specs.
  const people = (await (await admin.request.get("/api/admin/people")).json()).people as { id: string }[];
  for (const person of people) await admin.request.delete(`/api/admin/people/${person.id}`, { headers: { Origin: baseURL! } });
  await admin.request.delete(`/api/admin/owners/${slug}`, { headers: { Origin: baseURL! } });
  await Promise.all([adminContext.close(), memberContext.close()]);
});
