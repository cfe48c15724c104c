import { expect } from "vitest";

/**
 * A member of `owner`, as a person becomes one: the admin (`admin`: their session's headers) invites them, they open
 * the link, choose a password and sign in. Their session cookie.
 */
export async function memberSession(baseUrl: string, admin: Record<string, string>, email: string, owner: string): Promise<string> {
  const invited = await fetch(`${baseUrl}/api/admin/people`, {
    method: "POST",
    headers: { ...admin, Origin: baseUrl, "Content-Type": "application/json" },
    body: JSON.stringify({ email, name: email.split("@")[0], role: "member", owner }),
  });
  expect(invited.status, await invited.clone().text()).toBe(201);
  return sessionThroughLink(baseUrl, (await invited.json()).link, email);
}

/** The person of a password link chooses a password through it and signs in with it: their session cookie. */
export async function sessionThroughLink(baseUrl: string, link: string, email: string): Promise<string> {
  const opened = await fetch(link.replace(/^https?:\/\/[^/]+/, baseUrl), { redirect: "manual" });
  const password = `a long password for ${email}`;
  await fetch(`${baseUrl}/account/password`, {
    method: "POST",
    redirect: "manual",
    headers: {
      Cookie: opened.headers.get("set-cookie")!.split(";")[0]!,
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: baseUrl,
    },
    body: new URLSearchParams({ password, confirm: password }),
  });
  const session = await fetch(`${baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ email, password }) });
  expect(session.status).toBe(204);
  return session.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}
