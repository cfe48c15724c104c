import { expect, type Locator, type Page, type Response } from "@playwright/test";

/**
 * Presses "Generate report" on the reports page and returns the trigger's answer. When nothing has changed
 * since the newest report the page asks first; the specs generate anyway.
 */
export async function pressGenerate(page: Page): Promise<Response> {
  const answer = page.waitForResponse((r) => r.url().endsWith("/trigger_report"));
  await page.getByRole("button", { name: "Generate report" }).click();
  const anyway = page.getByRole("button", { name: "Generate anyway" });
  await Promise.race([answer, anyway.waitFor().then(() => anyway.click())]);
  return answer;
}

/** An invited member chooses a password through their invitation `link`, which signs them in: they land on the home. */
export async function acceptInvitation(page: Page, link: string, password: string): Promise<void> {
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("New password again").fill(password);
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page).toHaveURL(/\/$/);
}

/**
 * On the owners page: adds an owner, chooses it, and picks the stores each of `searches` finds (typed into the
 * picker's search, then the box whose label `pick` matches ticked). Returns the owner's assign section.
 */
export async function addOwnerAndPick(page: Page, name: string, slug: string, picks: { search: string; pick: RegExp }[]): Promise<Locator> {
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Short name (letters, digits, dashes)").fill(slug);
  await page.getByRole("button", { name: "Add owner" }).click();
  await expect(page.getByRole("table", { name: "Owners" })).toContainText(slug);
  await page
    .getByRole("region", { name: "Stores of an owner" })
    .getByRole("combobox", { name: /^Owner/ })
    .selectOption(slug);
  const assign = page.getByRole("region", { name: `Assign stores to ${name}` });
  for (const { search, pick } of picks) {
    await assign.getByLabel("Find stores by name or id").fill(search);
    await assign.getByRole("checkbox", { name: pick }).check();
  }
  return assign;
}
