// Password links by e-mail, over real HTTP and real SMTP: with SMTP_URL set, a manager's invitation and an admin's
// new link reach the person's mailbox (a local smtp-server), naming the product, the inviter and the absolute link,
// and are not shown to whoever asked; a mail server that refuses the message leaves the link to hand over, saying why.
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";
import { sessionThroughLink } from "./people";

const ADMIN_TOKEN = "team-mail-admin-token-0123456789";
/** The mail server refuses messages to this recipient. */
const REFUSED = "refused@example.com";
const databaseUrl = await setUpTestDatabase();
let app: RunningApp;
let smtp: SMTPServer;
let admin: Record<string, string>;
let manager: Record<string, string>;
const mails: { from: string; to: string; subject: string; text: string }[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    onRcptTo(address, _session, callback) {
      callback(address.address === REFUSED ? Object.assign(new Error("no such mailbox"), { responseCode: 550 }) : undefined);
    },
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(",");
        mails.push({ from: mail.from?.text ?? "", to, subject: mail.subject ?? "", text: mail.text ?? "" });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  app = await startApp(databaseUrl, { workers: 0, env: { ADMIN_TOKEN, SMTP_URL, SMTP_FROM: "Store Monitor <monitor@example.com>" } });
  const signedIn = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
  admin = { Cookie: signedIn.headers.get("set-cookie")!.split(";")[0]!, Origin: app.baseUrl, "Content-Type": "application/json" };
  await fetch(`${app.baseUrl}/api/admin/owners`, {
    method: "POST",
    headers: admin,
    body: JSON.stringify({ slug: "burger-hut", name: "Burger Hut" }),
  });
  // The manager is invited by the admin: that link comes by e-mail too.
  const email = "mara@example.com";
  const invite = await fetch(`${app.baseUrl}/api/admin/people`, {
    method: "POST",
    headers: admin,
    body: JSON.stringify({ email, name: "Mara Manager", role: "member", owner: "burger-hut" }),
  });
  const { person } = await invite.json();
  const link = linkIn(mails.find((m) => m.to === email)!.text);
  manager = { Cookie: await sessionThroughLink(app.baseUrl, link, email), Origin: app.baseUrl, "Content-Type": "application/json" };
  await fetch(`${app.baseUrl}/api/admin/owners/burger-hut/members/${person.id}`, {
    method: "PUT",
    headers: admin,
    body: JSON.stringify({ role: "manager" }),
  });
});
afterAll(async () => {
  await app?.stop();
  await new Promise<void>((resolve) => smtp?.close(resolve));
});
beforeEach(() => {
  mails.length = 0;
});

/** The one absolute password link an e-mail's text holds. */
function linkIn(text: string): string {
  const links = text.match(/https?:\/\/\S+/g) ?? [];
  expect(links).toHaveLength(1);
  return links[0]!;
}

describe("with SMTP_URL set, password links go by e-mail", () => {
  it("a manager's invitation: mailed to the person, naming the product, the inviter and the link; not shown to the manager", async () => {
    const answer = await fetch(`${app.baseUrl}/api/team/burger-hut/members`, {
      method: "POST",
      headers: manager,
      body: JSON.stringify({ email: "colin@example.com", name: "Colin Colleague" }),
    });
    expect(answer.status, await answer.clone().text()).toBe(201);
    const body = await answer.json();
    expect(body.delivery).toEqual({ by: "email", to: "colin@example.com" });
    expect(JSON.stringify(body)).not.toContain("token=");
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail).toMatchObject({ from: `"Store Monitor" <monitor@example.com>`, to: "colin@example.com" });
    expect(mail!.subject).toBe("Mara Manager (mara@example.com) invites you to Store Monitor");
    expect(mail!.text).toContain("Mara Manager (mara@example.com) invites you to Store Monitor");
    expect(mail!.text).toContain("Burger Hut's stores");
    expect(mail!.text).toContain("It works once, for 72 hours.");
    const link = linkIn(mail!.text);
    expect(link).toMatch(new RegExp(`^${app.baseUrl.replace(/\./g, "\\.")}/account/password\\?token=[\\w-]+$`));
    // The link works: it opens the form.
    const opened = await fetch(link, { redirect: "manual" });
    expect(opened.headers.get("location")).toBe("/account/set-password");
  });

  it("an admin's new password link is mailed too", async () => {
    const people = (await (await fetch(`${app.baseUrl}/api/admin/people`, { headers: admin })).json()).people as {
      id: string;
      email: string;
    }[];
    const colin = people.find((p) => p.email === "colin@example.com")!;
    const answer = await fetch(`${app.baseUrl}/api/admin/people/${colin.id}/password-link`, { method: "POST", headers: admin });
    expect(await answer.json()).toEqual({ link: null, delivery: { by: "email", to: "colin@example.com" } });
    expect(mails.map((m) => [m.to, m.subject])).toEqual([["colin@example.com", "Your new Store Monitor password link"]]);
    expect(mails[0]!.text).toContain("It works once, for 1 hour.");
  });

  it("a mail server that refuses the message: the link is answered to hand over, with why the e-mail failed", async () => {
    const answer = await fetch(`${app.baseUrl}/api/team/burger-hut/members`, {
      method: "POST",
      headers: manager,
      body: JSON.stringify({ email: REFUSED, name: "Nobody Home" }),
    });
    expect(answer.status).toBe(201);
    expect((await answer.json()).delivery).toEqual({
      by: "link",
      link: expect.stringMatching(/\/account\/password\?token=/),
      mailError: "the mail server did not take it (550)",
    });
    expect(mails).toEqual([]);
  });
});
