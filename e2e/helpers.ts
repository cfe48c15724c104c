import { expect, type Page, type Response } from "@playwright/test";

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

/** An invited member chooses a password through their invitation `link` and signs in: they land on the home. */
export async function acceptInvitation(page: Page, link: string, email: string, password: string): Promise<void> {
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("New password again").fill(password);
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
}
