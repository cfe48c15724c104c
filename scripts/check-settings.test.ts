// npm run build's first step: a bad setting stops the build, naming the variable and what is wrong with it.
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";

const check = (env: Record<string, string>) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/check-settings.ts"], { env: { ...process.env, ...env }, encoding: "utf8" });

it("refuses a bad setting with its name, and passes good ones", () => {
  const bad = check({ PORT: "abc" });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/^Invalid environment: PORT: /m);
  const short = check({ ADMIN_TOKEN: "short" });
  expect(short.status).toBe(1);
  expect(short.stderr).toContain("ADMIN_TOKEN must be at least 16 characters");
  const good = check({ PORT: "3000" });
  expect(good.status).toBe(0);
  expect(good.stderr).toBe("");
});
