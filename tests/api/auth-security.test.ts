// The attacks of the admin-access security issue, each sent to the production server, with its refusal:
// open redirects after sign-in, sign-in brute force, sessions that outlive sign-out, unbounded and cross-site
// report triggers, the admin token in pages, trusted proxy headers and a 500 for `Origin: null`.
import crypto from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const ADMIN_TOKEN = "admin-token-for-the-security-tests";
const REPORTS_KEY_A = "reports-key-a-for-the-security-tests";
const REPORTS_KEY_B = "reports-key-b-for-the-security-tests";
const databaseUrl = await setUpTestDatabase();

/** A server's log, as it is written. */
function captureLog(app: RunningApp): () => string {
  let log = "";
  for (const stream of [app.web.stdout!, app.web.stderr!]) stream.on("data", (chunk: Buffer) => (log += chunk.toString()));
  return () => log;
}

// Open mode (no API key), no proxy in front, as `npm start` runs it; small limits so that tests reach them.
let app: RunningApp;
let appLog: () => string;
// Behind one proxy (TRUST_PROXY=1), with report keys.
let proxied: RunningApp;
let proxiedLog: () => string;

beforeAll(async () => {
  const common = { ADMIN_TOKEN, SIGNIN_LIMIT_PER_CLIENT: "10", SIGNIN_LIMIT_PER_ACCOUNT: "50", TRIGGER_LIMIT_PER_MINUTE: "5" };
  [app, proxied] = await Promise.all([
    startApp(databaseUrl, { workers: 0, env: common }),
    startApp(databaseUrl, {
      workers: 0,
      env: {
        ...common,
        TRUST_PROXY: "1",
        API_KEYS: `reports:${REPORTS_KEY_A},reports:${REPORTS_KEY_B}`,
        SIGNIN_LIMIT_PER_CLIENT: "3",
        SIGNIN_LIMIT_PER_ACCOUNT: "5",
        TRIGGER_LIMIT_PER_MINUTE: "3",
      },
    }),
  ]);
  appLog = captureLog(app);
  proxiedLog = captureLog(proxied);
});
afterAll(async () => {
  await app?.stop();
  await proxied?.stop();
});
beforeEach(async () => {
  await pool().query("TRUNCATE rate_limits, sessions");
});

const signIn = (server: RunningApp, token: string, headers: Record<string, string> = {}) =>
  fetch(`${server.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token }), headers });

/** The cookie of a new admin session. */
async function newSession(server = app): Promise<string> {
  const response = await signIn(server, ADMIN_TOKEN);
  expect(response.status).toBe(204);
  return response.headers.get("set-cookie")!.split(";")[0]!;
}

const imports = (cookie: string, server = app) => fetch(`${server.baseUrl}/api/admin/imports`, { headers: { Cookie: cookie } });
const upload = (server: RunningApp, headers: Record<string, string>) =>
  fetch(`${server.baseUrl}/api/admin/uploads?name=zones.csv`, {
    method: "POST",
    body: "store_id,timezone_str\ns1,UTC\n",
    headers: { "Content-Type": "text/csv", ...headers },
  });
const trigger = (server: RunningApp, headers: Record<string, string> = {}) =>
  fetch(`${server.baseUrl}/trigger_report`, { method: "POST", headers });

describe("the target after sign-in is a page of this site, or /", () => {
  const hostile = [
    "/\\127.0.0.1:3999/x",
    "/%09/127.0.0.1:3999/x",
    "//127.0.0.1:3999/x",
    "/%5C127.0.0.1:3999/x",
    "\\\\127.0.0.1:3999/x",
    "https://127.0.0.1:3999/x",
    "http:127.0.0.1:3999/x",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "/.//127.0.0.1:3999/x",
    "/api/admin/sessions",
  ];

  it.each(hostile)("the sign-in link with next=%j signs in and answers 303 to /", async (next) => {
    const query = new URLSearchParams({ token: ADMIN_TOKEN, next });
    const response = await fetch(`${app.baseUrl}/admin/login?${query}`, { redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
    expect(response.headers.get("set-cookie")).toMatch(/^sm_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
  });

  it.each(hostile)("the sign-in form with next=%j answers 303 to /", async (next) => {
    const response = await fetch(`${app.baseUrl}/admin/login`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({ token: ADMIN_TOKEN, next }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
  });

  it("a next with a control character (browsers drop a tab from an address: //127.0.0.1...) signs in and goes home, by the link and by the form", async () => {
    for (const next of ["/\t/127.0.0.1:3999/x", "/\n/127.0.0.1:3999/x", "/reports\u0000x"]) {
      const link = await fetch(`${app.baseUrl}/admin/login?${new URLSearchParams({ token: ADMIN_TOKEN, next })}`, { redirect: "manual" });
      const body = new URLSearchParams({ token: ADMIN_TOKEN, next });
      const form = await fetch(`${app.baseUrl}/admin/login`, { method: "POST", redirect: "manual", body });
      for (const response of [link, form]) {
        expect(response.status, JSON.stringify(next)).toBe(303);
        expect(response.headers.get("location")).toBe("/");
        expect(response.headers.get("set-cookie")).toMatch(/^sm_session=/);
      }
    }
  });

  it("a form field other than next with a control character is refused with 400 naming it, and signs nobody in", async () => {
    const body = new URLSearchParams({ token: `${ADMIN_TOKEN}\t`, next: "/" });
    const form = await fetch(`${app.baseUrl}/admin/login`, { method: "POST", redirect: "manual", body });
    expect(form.status).toBe(400);
    expect(form.headers.get("set-cookie")).toBeNull();
    expect((await form.json()).error).toMatchObject({
      code: "invalid_body",
      message: expect.stringContaining("field token: control character U+0009"),
    });
  });

  it("a page of this site is kept, and no next goes to the upload page", async () => {
    const to = async (next?: string) => {
      const query = new URLSearchParams({ token: ADMIN_TOKEN, ...(next === undefined ? {} : { next }) });
      return (await fetch(`${app.baseUrl}/admin/login?${query}`, { redirect: "manual" })).headers.get("location");
    };
    expect(await to("/stores/s1?report=AAAAAAAAAAAAAAAAAAAAAA")).toBe("/stores/s1?report=AAAAAAAAAAAAAAAAAAAAAA");
    expect(await to(`${app.baseUrl}/reports/x`)).toBe("/reports/x");
    expect(await to()).toBe("/admin/upload");
  });

  it("a wrong token goes back to the sign-in page with the reason, and no session", async () => {
    const response = await fetch(`${app.baseUrl}/admin/login`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({ token: "not-the-token", next: "/\\127.0.0.1:3999/x" }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/admin/sign-in?error=wrong_token&next=%2F");
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});

describe("sign-in attempts are limited", () => {
  it("per client: after 10 failures every attempt answers 429 with Retry-After, even with the right token, and the log says so", async () => {
    // Sent all at once, each with its own X-Forwarded-For, which a server with no proxy in front ignores.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signIn(app, `wrong-token-${i}`, { "X-Forwarded-For": `198.51.100.${i}` })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    const refused = answers.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(800);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(900);
    expect((await refused.json()).error).toEqual({
      code: "too_many_sign_ins",
      message: expect.stringMatching(/^too many failed sign-ins; try again in \d+ s$/),
      requestId: expect.any(String),
    });

    const right = await signIn(app, ADMIN_TOKEN);
    expect(right.status).toBe(429);
    expect(right.headers.get("set-cookie")).toBeNull();
    const form = await fetch(`${app.baseUrl}/admin/login`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({ token: ADMIN_TOKEN }),
    });
    expect(form.headers.get("location")).toMatch(/^\/admin\/sign-in\?error=too_many&retry=\d+$/);
    expect(form.headers.get("set-cookie")).toBeNull();
    await expect.poll(appLog).toMatch(/sign-in refused: 10 failed attempts from \S+ in 15 min/);
  });

  it("successful sign-ins do not count", async () => {
    for (let i = 0; i < 15; i++) await newSession();
    expect((await signIn(app, "wrong")).status).toBe(401);
  });

  it("behind a trusted proxy, per client address (the proxy's X-Forwarded-For entry); an account with many failures is guarded, not locked", async () => {
    const from = (address: string) => ({ "X-Forwarded-For": `${crypto.randomUUID()}, ${address}` }); // the left entry is the client's own word
    for (let i = 0; i < 3; i++) expect((await signIn(proxied, "wrong", from("203.0.113.1"))).status).toBe(401);
    expect((await signIn(proxied, "wrong", from("203.0.113.1"))).status).toBe(429);
    // Another address is not refused for the first one's failures ...
    for (let i = 0; i < 2; i++) expect((await signIn(proxied, "wrong", from("203.0.113.2"))).status).toBe(401);
    // ... until the account has had its 5 failures, from all addresses together: then an address that failed for it
    // is refused, while one that has not still signs in with the right token.
    expect((await signIn(proxied, "wrong", from("203.0.113.2"))).status).toBe(429);
    expect((await signIn(proxied, ADMIN_TOKEN, from("203.0.113.3"))).status).toBe(204);
    const refused = await signIn(proxied, ADMIN_TOKEN, from("203.0.113.2"));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    await expect.poll(proxiedLog).toMatch(/sign-in guarded: 5 failed attempts for account admin in 15 min/);
  });
});

describe("sessions end on the server", () => {
  it("after sign-out the old cookie is refused at once", async () => {
    const cookie = await newSession();
    expect((await imports(cookie)).status).toBe(200);
    const out = await fetch(`${app.baseUrl}/api/admin/session`, { method: "DELETE", headers: { Cookie: cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^sm_session=; .*Max-Age=0/);
    expect((await imports(cookie)).status).toBe(401);
    expect((await upload(app, { Cookie: cookie })).status).toBe(401);
  });

  it("signing out everywhere ends every session; it needs a session of this site", async () => {
    const [a, b] = [await newSession(), await newSession()];
    const everywhere = (headers: Record<string, string>) => fetch(`${app.baseUrl}/api/admin/sessions`, { method: "DELETE", headers });
    expect((await everywhere({})).status).toBe(401);
    expect((await everywhere({ Cookie: a, Origin: "http://evil.example" })).status).toBe(403);
    expect((await imports(b)).status).toBe(200);
    const out = await everywhere({ Cookie: a, Origin: app.baseUrl });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^sm_session=; .*Max-Age=0/);
    expect((await imports(a)).status).toBe(401);
    expect((await imports(b)).status).toBe(401);
  });

  it("the cookie holds a random token; the table only its SHA-256", async () => {
    const token = (await newSession()).slice("sm_session=".length);
    const { rows } = await pool().query("SELECT id FROM sessions");
    expect(rows).toEqual([{ id: crypto.createHash("sha256").update(token).digest("hex") }]);
  });
});

describe("report triggers are limited", () => {
  it("anonymous (open mode): beyond TRIGGER_LIMIT_PER_MINUTE in a minute, 429 with Retry-After", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => trigger(app)));
    expect(answers.filter((r) => r.status === 202)).toHaveLength(5);
    const refused = answers.filter((r) => r.status === 429);
    expect(refused).toHaveLength(15);
    expect(Number(refused[0]!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused[0]!.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect((await refused[0]!.json()).error.code).toBe("too_many_reports");
    expect((await pool().query("SELECT count(*)::int AS n FROM reports")).rows[0].n).toBeGreaterThanOrEqual(5);
  });

  it("per API key: one key's limit leaves another's alone", async () => {
    const withKey = (key: string) => trigger(proxied, { Authorization: `Bearer ${key}` });
    for (let i = 0; i < 3; i++) expect((await withKey(REPORTS_KEY_A)).status).toBe(202);
    expect((await withKey(REPORTS_KEY_A)).status).toBe(429);
    expect((await withKey(REPORTS_KEY_B)).status).toBe(202);
  });
});

describe("requests from other sites", () => {
  it.each([
    ["another site's Origin", { Origin: "http://evil.example" }],
    ["Origin: null (a sandboxed frame, a data: page)", { Origin: "null" }],
    ["Sec-Fetch-Site: cross-site without Origin", { "Sec-Fetch-Site": "cross-site" }],
    ["a malformed Origin", { Origin: "http://[" }],
  ])("may not trigger reports in open mode: %s -> 403", async (_name, headers) => {
    const response = await trigger(app, headers);
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe("cross_site_request");
  });

  it("services (no Origin, no Sec-Fetch-Site) and this site's own pages still trigger reports", async () => {
    expect((await trigger(app)).status).toBe(202);
    expect((await trigger(app, { Origin: app.baseUrl, "Sec-Fetch-Site": "same-origin" })).status).toBe(202);
  });

  it.each([
    ["X-Forwarded-Host naming the other site, without TRUST_PROXY", { Origin: "http://evil.example", "X-Forwarded-Host": "evil.example" }],
    ["this host and port over another scheme", { Origin: "https://HOST" }],
    ["Origin: null", { Origin: "null" }],
    ["a malformed Origin", { Origin: "http://[" }],
  ])("may not change data with the admin's cookie: %s -> 403, never 500", async (_name, headers) => {
    const cookie = await newSession();
    const origin = headers.Origin.replace("HOST", new URL(app.baseUrl).host);
    const response = await upload(app, { Cookie: cookie, ...headers, Origin: origin });
    expect(response.status).toBe(403);
    expect((await response.json()).error).toEqual({
      code: "cross_site_request",
      message: expect.any(String),
      requestId: expect.any(String),
    });
  });

  it("behind a trusted proxy, the origin is the one the proxy names, scheme included", async () => {
    const cookie = await newSession(proxied);
    const behind = { Cookie: cookie, Origin: "https://monitor.example", "X-Forwarded-Host": "monitor.example" };
    expect((await upload(proxied, behind)).status).toBe(403); // the proxy did not say https
    expect((await upload(proxied, { ...behind, "X-Forwarded-Proto": "https" })).status).toBe(200);
  });
});

describe("the sign-in link", () => {
  it("is exchanged for a session at once: the answer is a bodiless 303 to a page without the token", async () => {
    const link = await fetch(`${app.baseUrl}/admin/login?token=${ADMIN_TOKEN}`, { redirect: "manual" });
    expect(link.status).toBe(303);
    expect(link.headers.get("location")).toBe("/admin/upload");
    expect(link.headers.get("cache-control")).toBe("no-store");
    expect(await link.text()).toBe("");
    const cookie = link.headers.get("set-cookie")!.split(";")[0]!;
    const page = await fetch(`${app.baseUrl}/admin/upload`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain(ADMIN_TOKEN);
  });

  it("a link with a wrong token sends to the sign-in page with the reason, without the token", async () => {
    const link = await fetch(`${app.baseUrl}/admin/login?token=wrong-token-in-a-link&next=/admin/upload`, { redirect: "manual" });
    expect(link.status).toBe(303);
    expect(link.headers.get("location")).toBe("/admin/sign-in?error=wrong_token&next=%2Fadmin%2Fupload");
    const page = await fetch(new URL(link.headers.get("location")!, app.baseUrl));
    const html = await page.text();
    expect(html).toContain("That is not the admin token");
    expect(html).not.toContain("wrong-token-in-a-link");
  });

  it("/admin/login without a token is the sign-in page", async () => {
    const response = await fetch(`${app.baseUrl}/admin/login?next=/reports/x`, { redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/admin/sign-in?next=%2Freports%2Fx");
  });
});
