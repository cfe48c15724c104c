// An owner's team run by its manager, over real HTTP against the production server: admins make managers; a
// manager invites, lists and removes the people of their own owner, and manages its rules and keys; anything of
// another owner is a 404, and a plain member is refused in words. Choosing a password through a link signs in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";
import { memberSession } from "./people";

const ADMIN_TOKEN = "team-admin-token-0123456789";
const databaseUrl = await setUpTestDatabase();
let app: RunningApp;
let admin: Record<string, string>;
/** Session cookies: the manager of owner A, a plain member of A, the manager of owner B. */
const cookie = { managerA: "", memberA: "", managerB: "" };
const ids = { managerA: "", memberA: "", managerB: "" };

type Who = keyof typeof cookie | "admin";
const send = (who: Who, method: string, path: string, body?: unknown) =>
  fetch(`${app.baseUrl}${path}`, {
    method,
    redirect: "manual",
    headers: {
      Origin: app.baseUrl,
      ...(who === "admin" ? admin : { Cookie: cookie[who] }),
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

/** The id of the account with this e-mail, or null when there is none. */
const idOf = async (email: string): Promise<string | null> =>
  ((await (await send("admin", "GET", "/api/admin/people")).json()).people as { id: string; email: string }[]).find(
    (p) => p.email === email,
  )?.id ?? null;

beforeAll(async () => {
  app = await startApp(databaseUrl, { workers: 0, env: { ADMIN_TOKEN } });
  const signedIn = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
  admin = { Cookie: signedIn.headers.get("set-cookie")!.split(";")[0]! };
  for (const slug of ["owner-a", "owner-b"])
    expect((await send("admin", "POST", "/api/admin/owners", { slug, name: slug })).status).toBe(201);
  for (const [who, email, owner] of [
    ["managerA", "manager-a@example.com", "owner-a"],
    ["memberA", "member-a@example.com", "owner-a"],
    ["managerB", "manager-b@example.com", "owner-b"],
  ] as const) {
    cookie[who] = await memberSession(app.baseUrl, admin, email, owner);
    ids[who] = (await idOf(email))!;
  }
  for (const [who, owner] of [
    ["managerA", "owner-a"],
    ["managerB", "owner-b"],
  ] as const) {
    const made = await send("admin", "PUT", `/api/admin/owners/${owner}/members/${ids[who]}`, { role: "manager" });
    expect(made.status, await made.clone().text()).toBe(200);
    expect(await made.json()).toMatchObject({ id: ids[who], role: "manager" });
  }
});
afterAll(() => app?.stop());

const teamOf = async (who: Who, slug: string) => {
  const answer = await send(who, "GET", `/api/team/${slug}/members`);
  expect(answer.status, await answer.clone().text()).toBe(200);
  return (await answer.json()).members as { id: string; email: string; role: string; active: boolean; lastSignInAt: string | null }[];
};

describe("admins make and unmake managers", () => {
  it("a manager's account says which owners' teams they run; the navigation shows Team to them only", async () => {
    expect(await (await send("managerA", "GET", "/api/account")).json()).toMatchObject({ manages: [{ slug: "owner-a" }] });
    expect(await (await send("memberA", "GET", "/api/account")).json()).toMatchObject({ manages: [] });
    const page = async (who: Who) => (await (await send(who, "GET", "/")).text()).includes('href="/team"');
    expect(await page("managerA")).toBe(true);
    expect(await page("memberA")).toBe(false);
    expect((await send("memberA", "GET", "/team")).status).toBe(404);
    expect((await send("managerA", "GET", "/team")).status).toBe(200);
  });

  it("unmade, a manager is a plain member again (refused with 403); made again, manages; nobody but an admin may do it", async () => {
    const unmake = await send("admin", "PUT", `/api/admin/owners/owner-b/members/${ids.managerB}`, { role: "member" });
    expect(await unmake.json()).toMatchObject({ role: "member" });
    expect((await send("managerB", "GET", "/api/team/owner-b/members")).status).toBe(403);
    await send("admin", "PUT", `/api/admin/owners/owner-b/members/${ids.managerB}`, { role: "manager" });
    expect((await send("managerB", "GET", "/api/team/owner-b/members")).status).toBe(200);
    const byManager = await send("managerA", "PUT", `/api/admin/owners/owner-a/members/${ids.memberA}`, { role: "manager" });
    expect(byManager.status).toBe(403);
    // Someone who is not on the owner's team cannot be made its manager.
    const notOnTeam = await send("admin", "PUT", `/api/admin/owners/owner-a/members/${ids.managerB}`, { role: "manager" });
    expect(notOnTeam.status).toBe(404);
    expect((await notOnTeam.json()).error.code).toBe("person_not_found");
  });
});

describe("a manager runs their owner's team", () => {
  it("lists its people: managers first, each with role, whether their password is chosen, and their last sign-in", async () => {
    const team = await teamOf("managerA", "owner-a");
    expect(team.map((m) => [m.email, m.role, m.active])).toEqual([
      ["manager-a@example.com", "manager", true],
      ["member-a@example.com", "member", true],
    ]);
    for (const m of team) expect(Date.now() - Date.parse(m.lastSignInAt!)).toBeLessThan(10 * 60_000);
  });

  it("a plain member of the owner is refused with 403, in words", async () => {
    const answer = await send("memberA", "GET", "/api/team/owner-a/members");
    expect(answer.status).toBe(403);
    expect((await answer.json()).error).toMatchObject({
      code: "forbidden",
      message: "only a manager of owner-a runs its team; member-a@example.com is a member (ask an admin)",
    });
    expect((await send("memberA", "POST", "/api/team/owner-a/members", { email: "x@example.com", name: "X" })).status).toBe(403);
  });

  it("invites someone new: their account on the owner's team, and an absolute link to hand over (no SMTP_URL)", async () => {
    const answer = await send("managerA", "POST", "/api/team/owner-a/members", {
      email: "New.Colleague@example.com",
      name: "New Colleague",
    });
    expect(answer.status, await answer.clone().text()).toBe(201);
    const { member, delivery } = await answer.json();
    expect(member).toMatchObject({ email: "new.colleague@example.com", role: "member", active: false, lastSignInAt: null });
    expect(delivery).toEqual({
      by: "link",
      link: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/account\/password\?token=[\w-]+$/),
      mailError: null,
    });
    expect((await teamOf("managerA", "owner-a")).map((m) => m.email)).toContain("new.colleague@example.com");
    // Once on the team, they see the owner's stores: they are a member of owner A.
    expect(await (await send("admin", "GET", "/api/admin/people")).json()).toMatchObject({
      people: expect.arrayContaining([
        expect.objectContaining({
          email: "new.colleague@example.com",
          owners: [expect.objectContaining({ slug: "owner-a", role: "member" })],
        }),
      ]),
    });
    const again = await send("managerA", "POST", "/api/team/owner-a/members", { email: "new.colleague@example.com", name: "Again" });
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toBe("new.colleague@example.com is on owner-a's team already");
  });

  it("invites someone of another owner who has a password: added to the team, no link", async () => {
    const answer = await send("managerB", "POST", "/api/team/owner-b/members", { email: "member-a@example.com", name: "ignored" });
    expect(answer.status, await answer.clone().text()).toBe(201);
    expect((await answer.json()).delivery).toEqual({ by: "none" });
    expect((await teamOf("managerB", "owner-b")).map((m) => m.email)).toContain("member-a@example.com");
  });

  it("cannot add an admin's account to a team", async () => {
    await send("admin", "POST", "/api/admin/people", { email: "an-admin@example.com", name: "An Admin", role: "admin" });
    const answer = await send("managerA", "POST", "/api/team/owner-a/members", { email: "an-admin@example.com", name: "x" });
    expect(answer.status).toBe(409);
    expect((await answer.json()).error.code).toBe("person_is_admin");
  });

  it("another owner's team is a 404, the same as an owner that does not exist: list, invite, remove", async () => {
    for (const slug of ["owner-b", "no-such-owner"]) {
      for (const [method, path, body] of [
        ["GET", `/api/team/${slug}/members`],
        ["POST", `/api/team/${slug}/members`, { email: "someone@example.com", name: "Someone" }],
        ["DELETE", `/api/team/${slug}/members/${ids.managerB}`],
      ] as const) {
        const answer = await send("managerA", method, path, body);
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect((await answer.json()).error).toMatchObject({ code: "owner_not_found", message: `no owner ${slug}` });
      }
    }
    // Another owner's person under one's own owner: not on the team, 404 too.
    const other = await send("managerA", "DELETE", `/api/team/owner-a/members/${ids.managerB}`);
    expect(other.status).toBe(404);
    expect((await other.json()).error.code).toBe("person_not_found");
    expect((await teamOf("managerB", "owner-b")).map((m) => m.email)).toContain("manager-b@example.com");
  });

  it("manages the owner's rules and keys as its members do; another owner's rule is a 404", async () => {
    const key = await send("managerA", "POST", "/api/keys", { name: "till", scope: "reports", owner: "owner-a" });
    expect(key.status, await key.clone().text()).toBe(201);
    const rule = { name: "Owner A down", owner: "owner-a", webhookUrl: "http://127.0.0.1:9/hook" };
    expect((await send("managerA", "POST", "/api/alerts/rules", rule)).status).toBe(201);
    const ruleB = await send("managerB", "POST", "/api/alerts/rules", { ...rule, name: "Owner B down", owner: "owner-b" });
    const { id } = await ruleB.json();
    expect((await send("managerA", "DELETE", `/api/alerts/rules/${id}`)).status).toBe(404);
    expect((await send("managerA", "POST", "/api/alerts/rules", { ...rule, owner: "owner-b" })).status).toBe(404);
    // A plain member keeps what members had: their owner's rules and reports keys.
    expect((await send("memberA", "POST", "/api/keys", { name: "pos", scope: "reports", owner: "owner-a" })).status).toBe(201);
    expect((await send("memberA", "GET", "/api/alerts/rules")).status).toBe(200);
  });

  it("removes someone: off the team, their keys of the owner revoked; an account left without an owner is deleted", async () => {
    // member-a is also on owner B's team (above): removed from A, their account stays, for B.
    const key = await (await send("memberA", "POST", "/api/keys", { name: "leaving", scope: "reports", owner: "owner-a" })).json();
    expect((await send("managerA", "DELETE", `/api/team/owner-a/members/${ids.memberA}`)).status).toBe(204);
    expect((await teamOf("managerA", "owner-a")).map((m) => m.email)).not.toContain("member-a@example.com");
    const reports = await fetch(`${app.baseUrl}/api/reports`, { headers: { Authorization: `Bearer ${key.key}` } });
    expect(reports.status).toBe(401);
    expect(await (await send("memberA", "GET", "/api/account")).json()).toMatchObject({ kind: "member", owners: [{ slug: "owner-b" }] });
    // The new colleague was on owner A's team only: their account goes.
    const colleague = (await teamOf("managerA", "owner-a")).find((m) => m.email === "new.colleague@example.com")!;
    expect((await send("managerA", "DELETE", `/api/team/owner-a/members/${colleague.id}`)).status).toBe(204);
    expect(await idOf("new.colleague@example.com")).toBeNull();
  });

  it("never an admin's account, and not themselves while they are the owner's only manager", async () => {
    const adminMember = await send("admin", "POST", "/api/admin/people", {
      email: "admin-of-a@example.com",
      name: "Admin of A",
      role: "admin",
      owner: "owner-a",
    });
    const { person } = await adminMember.json();
    const refused = await send("managerA", "DELETE", `/api/team/owner-a/members/${person.id}`);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toBe("admin-of-a@example.com is an admin's account: only admins remove it (People page)");
    const self = await send("managerA", "DELETE", `/api/team/owner-a/members/${ids.managerA}`);
    expect(self.status).toBe(409);
    expect((await self.json()).error).toMatchObject({
      code: "last_manager",
      message: "you are owner-a's only manager: ask an admin to make someone else manager first",
    });
    expect((await teamOf("managerA", "owner-a")).map((m) => m.email)).toContain("manager-a@example.com");
  });
});

describe("choosing a password through a link signs in", () => {
  async function openedLink(email: string, next?: string): Promise<string> {
    const invited = await (await send("managerA", "POST", "/api/team/owner-a/members", { email, name: "Linked" })).json();
    const link = invited.delivery.link.replace(/^https?:\/\/[^/]+/, app.baseUrl) + (next ? `&next=${encodeURIComponent(next)}` : "");
    const opened = await fetch(link, { redirect: "manual" });
    expect(opened.headers.get("location")).toBe(next === "/team" ? "/account/set-password?next=%2Fteam" : "/account/set-password");
    return opened.headers.get("set-cookie")!.split(";")[0]!;
  }
  const choose = (linkCookie: string, password: string, next?: string) =>
    fetch(`${app.baseUrl}/account/password`, {
      method: "POST",
      redirect: "manual",
      headers: { Cookie: linkCookie, "Content-Type": "application/x-www-form-urlencoded", Origin: app.baseUrl },
      body: new URLSearchParams({ password, confirm: password, ...(next ? { next } : {}) }),
    });

  it("the answer sets the session cookie and goes home; that cookie is the person's session", async () => {
    const answer = await choose(await openedLink("signs-in@example.com"), "a long enough password");
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/");
    const session = answer.headers.getSetCookie().find((c) => c.startsWith("sm.session_token="));
    expect(session).toMatch(/HttpOnly/i);
    const account = await fetch(`${app.baseUrl}/api/account`, { headers: { Cookie: session!.split(";")[0]! } });
    expect(await account.json()).toMatchObject({ kind: "member", email: "signs-in@example.com", owners: [{ slug: "owner-a" }] });
  });

  it.each([
    ["/team", "/team"],
    ["https://elsewhere.example/team", "/"],
  ])("with next %s it goes to %s (a page of this site only)", async (next, location) => {
    const linkCookie = await openedLink(`next-${location.length}-${next.length}@example.com`, next === "/team" ? next : undefined);
    const answer = await choose(linkCookie, "a long enough password", next);
    expect(answer.headers.get("location")).toBe(location);
    expect(answer.headers.getSetCookie().some((c) => c.startsWith("sm.session_token="))).toBe(true);
  });
});
