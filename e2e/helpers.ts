import type { Page, Response } from "@playwright/test";

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
