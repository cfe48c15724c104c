// Accounts against an attacker, over HTTP against the production server: an account has one live password link
// (older ones stop working and say why), and failed sign-ins from many addresses cannot lock out the rightful owner.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const ADMIN_TOKEN = "admin-token-for-the-password-link-tests";
const databaseUrl = await setUpTestDatabase();
let app: RunningApp;
let admin: Record<string, string>;
let log = "";

beforeAll(async () => {
  // Behind one proxy, so that each test's X-Forwarded-For is a client address of its own; the default limits.
  app = await startApp(databaseUrl, { workers: 0, env: { ADMIN_TOKEN, TRUST_PROXY: "1" } });
  for (const stream of [app.web.stdout!, app.web.stderr!]) stream.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const signedIn = await signIn({ token: ADMIN_TOKEN }, "192.0.2.1");
  admin = { Cookie: signedIn.headers.get("set-cookie")!.split(";")[0]!, Origin: app.baseUrl, "X-Forwarded-For": "192.0.2.1" };
});
afterAll(() => app?.stop());
beforeEach(async () => {
  await pool().query("TRUNCATE rate_limits");
});

const signIn = (credentials: Record<string, string>, address: string) =>
  fetch(`${app.baseUrl}/api/admin/session`, {
    method: "POST",
    body: JSON.stringify(credentials),
    headers: { "X-Forwarded-For": address },
  });

const post = (path: string, body?: unknown) =>
  fetch(`${app.baseUrl}${path}`, { method: "POST", headers: admin, ...(body ? { body: JSON.stringify(body) } : {}) });

/** Opens a link as a browser does: where it leads, and the cookie that carries its token to the form. */
async function open(link: string): Promise<{ location: string | null; cookie: string | undefined }> {
  const opened = await fetch(link.replace(/^https?:\/\/[^/]+/, app.baseUrl), { redirect: "manual" });
  return { location: opened.headers.get("location"), cookie: opened.headers.get("set-cookie")?.split(";")[0] };
}

/** The form's answer with a link's cookie: where the browser goes next. */
async function choose(cookie: string, password: string): Promise<string | null> {
  const answer = await fetch(`${app.baseUrl}/account/password`, {
    method: "POST",
    redirect: "manual",
    headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded", Origin: app.baseUrl },
    body: new URLSearchParams({ password, confirm: password }),
  });
  return answer.headers.get("location");
}

async function invite(email: string, role: "admin" | "member"): Promise<{ id: string; link: string }> {
  if (role === "member") await post("/api/admin/owners", { slug: "owner-p", name: "Owner P" });
  const invited = await post("/api/admin/people", { email, name: "Someone", role, ...(role === "member" ? { owner: "owner-p" } : {}) });
  expect(invited.status, await invited.clone().text()).toBe(201);
  const { person, link } = await invited.json();
  return { id: person.id, link };
}

const newLink = async (id: string): Promise<string> => (await (await post(`/api/admin/people/${id}/password-link`)).json()).link;

describe("an account has one live password link", () => {
  it.each(["admin", "member"] as const)(
    "links 0, 1 and 2 of an %s, each opened in turn: only the newest sets the password, once; the others say why",
    async (role) => {
      const email = `${role}-links@example.com`;
      const person = await invite(email, role);
      // Each opened as soon as it is issued, so that each has its cookie, as the attack had them.
      const opened = [await open(person.link)];
      opened.push(await open(await newLink(person.id)));
      opened.push(await open(await newLink(person.id)));
      for (const { location, cookie } of opened) {
        expect(location).toBe("/account/set-password");
        expect(cookie).toMatch(/^sm_password_link=/);
      }
      expect(await choose(opened[0]!.cookie!, "password of link zero")).toBe("/account/set-password?error=superseded_link");
      expect(await choose(opened[1]!.cookie!, "password of link one")).toBe("/account/set-password?error=superseded_link");
      expect(await choose(opened[2]!.cookie!, "password of link two")).toBe("/");
      expect(await choose(opened[2]!.cookie!, "password again, two")).toBe("/account/set-password?error=used_link");
      expect((await signIn({ email, password: "password of link zero" }, "192.0.2.10")).status).toBe(401);
      expect((await signIn({ email, password: "password of link two" }, "192.0.2.10")).status).toBe(204);
      // Opened again, the old links lead to the page that says why, and hand out no cookie.
      expect(await open(person.link)).toEqual({ location: "/account/set-password?error=superseded_link", cookie: undefined });
    },
  );

  it("setting a password ends the account's other links, and the page says what happened to each", async () => {
    const person = await invite("pages@example.com", "member");
    const first = await open(person.link);
    expect(await choose(first.cookie!, "the first password")).toBe("/");
    const used = await fetch(`${app.baseUrl}/account/set-password?error=used_link`);
    expect(await used.text()).toContain("This link was used already");
    const superseded = await (await fetch(`${app.baseUrl}/account/set-password?error=superseded_link`)).text();
    expect(superseded).toContain("A newer link was issued for this account");
    expect(superseded).not.toContain('name="password"'); // no form for a link that cannot work
  });

  it("a reset link expires after an hour, an invitation after 72; an expired link says so", async () => {
    const person = await invite("expiry@example.com", "member");
    const { rows: invitation } = await pool().query(
      "SELECT kind, round(extract(epoch FROM expires_at - created_at) / 3600) AS hours FROM password_links WHERE user_id = $1",
      [person.id],
    );
    expect(invitation).toEqual([{ kind: "invitation", hours: "72" }]);
    const reset = await newLink(person.id);
    const { rows } = await pool().query(
      "SELECT kind, round(extract(epoch FROM expires_at - created_at) / 60) AS minutes FROM password_links WHERE user_id = $1 AND ended_at IS NULL",
      [person.id],
    );
    expect(rows).toEqual([{ kind: "reset", minutes: "60" }]);
    const opened = await open(reset);
    await pool().query("UPDATE password_links SET expires_at = now() - interval '1 second' WHERE user_id = $1", [person.id]);
    expect(await choose(opened.cookie!, "too late a password")).toBe("/account/set-password?error=expired_link");
    expect((await open(reset)).location).toBe("/account/set-password?error=expired_link");
  });
});

describe("failed sign-ins from many addresses do not lock out the rightful owner", () => {
  const failFromFiveAddresses = async (credentials: (i: number) => Record<string, string>) => {
    for (let address = 1; address <= 5; address++)
      for (let i = 0; i < 10; i++) expect((await signIn(credentials(i), `203.0.113.${address}`)).status).toBe(401);
  };

  it("ten wrong passwords from each of five addresses: the right one from a sixth address signs in", async () => {
    const email = "lockout@example.com";
    const person = await invite(email, "member");
    expect(await choose((await open(person.link)).cookie!, "the rightful password")).toBe("/");
    await failFromFiveAddresses((i) => ({ email, password: `a wrong guess ${i}` }));
    expect((await signIn({ email, password: "the rightful password" }, "203.0.113.6")).status).toBe(204);
    // The account is guarded now: an address that failed for it is refused, even with the right password ...
    const refused = await signIn({ email, password: "the rightful password" }, "203.0.113.1");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // ... and a new address gets one guess.
    expect((await signIn({ email, password: "another guess" }, "203.0.113.7")).status).toBe(401);
    expect((await signIn({ email, password: "the rightful password" }, "203.0.113.7")).status).toBe(429);
    expect(log).toMatch(/sign-in guarded: 50 failed attempts for account person:lockout@example.com in 15 min/);
  });

  it("the same for the admin token", async () => {
    await failFromFiveAddresses((i) => ({ token: `not the admin token ${i}` }));
    expect((await signIn({ token: ADMIN_TOKEN }, "203.0.113.6")).status).toBe(204);
    expect((await signIn({ token: ADMIN_TOKEN }, "203.0.113.2")).status).toBe(429);
  });
});
