// Incidents acknowledged and stores muted, over real HTTP against the production build: in open mode by anyone;
// with accounts by the store's owner's members, admins and keys of that owner, and a 404 for anyone else's; a mute
// refused in words when it is not one; an e-mail rule refused while the server has no SMTP_URL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { prisma } from "../../lib/db/prisma";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";
import { memberSession } from "./people";

const databaseUrl = await setUpTestDatabase();
const ADMIN_TOKEN = "incidents-admin-token-0123456789";
let app: RunningApp;
/** Each caller's headers: a session cookie or a key. */
const as: Record<string, Record<string, string>> = { anonymous: {} };
/** The incidents' ids, by name. */
const incident: Record<string, string> = {};

beforeAll(async () => {
  const [a, b] = await Promise.all([
    prisma().owner.create({ data: { slug: "owner-a", name: "A" } }),
    prisma().owner.create({ data: { slug: "owner-b", name: "B" } }),
  ]);
  await prisma().store.createMany({
    data: [
      { storeId: "a1", name: "Harbor Grill", ownerId: a.id },
      { storeId: "b1", name: "Bay Diner", ownerId: b.id },
    ],
  });
  await pool().query("INSERT INTO store_timezones VALUES ('a1', 'America/Chicago'), ('b1', 'UTC')");
  const open = (storeId: string, kind: string, resolved: boolean) =>
    pool().query<{ id: string }>(
      `INSERT INTO incidents (store_id, kind, started_at, opened_at, resolved_at)
       VALUES ($1, $2, now() - interval '1 hour', now() - interval '45 minutes', CASE WHEN $3 THEN now() END) RETURNING id::text`,
      [storeId, kind, resolved],
    );
  // A store has at most one open incident of each kind.
  for (const [name, storeId, kind, resolved] of [
    ["openA", "a1", "down", false],
    ["secondA", "a1", "no_data", false],
    ["resolvedA", "a1", "down", true],
    ["openB", "b1", "down", false],
  ] as const)
    incident[name] = (await open(storeId, kind, resolved)).rows[0]!.id;
  // No worker: nothing evaluates (and resolves) the incidents made above.
  app = await startApp(databaseUrl, { workers: 0, env: { ADMIN_TOKEN } });
});
afterAll(() => app?.stop());

const call = (who: string, method: string, path: string, body?: unknown) =>
  fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { ...as[who], Origin: app.baseUrl, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const acknowledge = (who: string, id: string, body?: unknown) => call(who, "POST", `/api/alerts/incidents/${id}/acknowledge`, body);
const mute = (who: string, storeId: string, body: unknown) => call(who, "PUT", `/api/stores/${storeId}/mute`, body);

describe("in open mode (no account, no key)", () => {
  it("anyone acknowledges an incident and mutes a store, recorded as anonymous", async () => {
    const acked = await acknowledge("anonymous", incident.secondA!);
    expect(acked.status).toBe(200);
    expect((await acked.json()).acknowledgement).toEqual({ by: "anonymous", at: expect.any(String), note: null });
    const muted = await mute("anonymous", "b1", { for: "1h" });
    expect(muted.status).toBe(200);
    const view = await muted.json();
    expect(view).toMatchObject({ storeId: "b1", name: "Bay Diner", by: "anonymous", timeZone: "UTC" });
    expect(Date.parse(view.until) - Date.parse(view.at)).toBe(3_600_000);
    expect((await call("anonymous", "DELETE", "/api/stores/b1/mute")).status).toBe(204);
    expect((await (await call("anonymous", "GET", "/api/alerts")).json()).mutes).toEqual([]);
  });
});

describe("with accounts", () => {
  beforeAll(async () => {
    const signIn = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
    as.admin = { Cookie: signIn.headers.get("set-cookie")!.split(";")[0]! };
    as.ana = { Cookie: await memberSession(app.baseUrl, as.admin, "ana@a.example", "owner-a") };
    as.bo = { Cookie: await memberSession(app.baseUrl, as.admin, "bo@b.example", "owner-b") };
    const made = await call("admin", "POST", "/api/keys", { name: "a's monitor", scope: "reports", owner: "owner-a" });
    expect(made.status).toBe(201);
    as.keyA = { Authorization: `Bearer ${(await made.json()).key}` };
  });

  it("a member acknowledges their owner's open incident with a note, once: again keeps the first who, when and note", async () => {
    const first = await acknowledge("ana", incident.openA!, { note: "calling the store" });
    expect(first.status).toBe(200);
    const view = await first.json();
    expect(view).toMatchObject({ id: incident.openA, storeId: "a1", timeZone: "America/Chicago" });
    expect(view.acknowledgement).toEqual({ by: "ana@a.example", at: expect.any(String), note: "calling the store" });
    const again = await acknowledge("keyA", incident.openA!, { note: "another" });
    expect(again.status).toBe(200);
    expect((await again.json()).acknowledgement).toEqual(view.acknowledgement);
  });

  it("another owner's member, or that owner's key, gets a 404 as for a store outside their scope; so does an id that is none", async () => {
    for (const [who, id] of [
      ["bo", incident.openA],
      ["keyA", incident.openB],
      ["ana", "99999999"],
      ["ana", "not-an-id"],
    ] as const) {
      const refused = await acknowledge(who, id!);
      expect(refused.status, `${who} ${id}`).toBe(404);
      expect((await refused.json()).error).toMatchObject({ code: "incident_not_found", message: `no incident ${id}` });
    }
    const b = (await (await call("admin", "GET", "/api/alerts?store=b1")).json()).incidents;
    expect(b[0].acknowledgement).toBeNull();
  });

  it("a resolved incident nobody acknowledged is a 409 in words", async () => {
    const refused = await acknowledge("ana", incident.resolvedA!);
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.message).toBe(
      `incident ${incident.resolvedA} is resolved already: only an open one is acknowledged`,
    );
  });

  it("a member, an admin and the owner's key mute the owner's store, each recorded; another owner's is a 404", async () => {
    for (const [who, by] of [
      ["ana", "ana@a.example"],
      ["admin", "admin"],
      ["keyA", "key a's monitor"],
    ] as const) {
      const muted = await mute(who, "a1", { for: "4h" });
      expect(muted.status, who).toBe(200);
      expect(await muted.json()).toMatchObject({ storeId: "a1", by });
    }
    for (const [who, storeId] of [
      ["bo", "a1"],
      ["keyA", "b1"],
      ["ana", "nowhere"],
    ] as const) {
      for (const refused of [await mute(who, storeId, { for: "1h" }), await call(who, "DELETE", `/api/stores/${storeId}/mute`)]) {
        expect(refused.status, `${who} ${storeId}`).toBe(404);
        expect((await refused.json()).error).toMatchObject({ code: "store_not_found", message: `no store ${storeId}` });
      }
    }
    // Shown with the incidents, to those who see the store only.
    expect((await (await call("ana", "GET", "/api/alerts")).json()).mutes).toEqual([
      expect.objectContaining({ storeId: "a1", name: "Harbor Grill", by: "key a's monitor" }),
    ]);
    expect((await (await call("bo", "GET", "/api/alerts")).json()).mutes).toEqual([]);
  });

  it("a mute until tomorrow's opening ends then, by the store's hours in its zone", async () => {
    await pool().query("INSERT INTO business_hours SELECT 'a1', d, '10:30:00', '22:00:00' FROM generate_series(0, 6) d");
    const view = await (await mute("ana", "a1", { for: "next_opening" })).json();
    const until = new Date(view.until);
    expect(
      new Intl.DateTimeFormat("en-US", { timeZone: "America/Chicago", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(until),
    ).toBe("10:30");
    expect(until.getTime() - Date.now()).toBeGreaterThan(0);
    expect(until.getTime() - Date.now()).toBeLessThanOrEqual(48 * 3_600_000);
  });

  it("a mute that is none is refused with a 400 naming the field and its value", async () => {
    const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    const tooLong = later(31);
    for (const [body, message] of [
      [{ for: "2h" }, /^field for: /],
      [{}, /^field for: give either for \(1h, 4h, next_opening\) or until$/],
      [{ until: "tomorrow" }, /^field until: /],
      [{ until: tooLong }, new RegExp(`^field until "${tooLong}": .* is more than 30 days away`)],
      [{ until: later(-1) }, /^field until ".*": .* has passed/],
    ] as const) {
      const refused = await mute("ana", "a1", body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      const { error } = await refused.json();
      expect(error.code).toBe("invalid_body");
      expect(error.message).toMatch(message);
    }
  });

  it("unmuting ends the mute at once", async () => {
    expect((await call("ana", "DELETE", "/api/stores/a1/mute")).status).toBe(204);
    expect((await (await call("ana", "GET", "/api/alerts?store=a1")).json()).mutes).toEqual([]);
  });
});

describe("alert rules without SMTP_URL", () => {
  it("an e-mail channel is refused on save in words, naming the field; a webhook is not", async () => {
    const refused = await call("admin", "POST", "/api/alerts/rules", { name: "ops", emailTo: ["ops@a.example"] });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatchObject({
      code: "invalid_body",
      message: 'field emailTo "ops@a.example": e-mail cannot be sent: the server has no SMTP_URL; set it, or use a webhook',
    });
    const made = await call("ana", "POST", "/api/alerts/rules", { name: "hook", webhookUrl: "https://hooks.example.com/x" });
    expect(made.status).toBe(201);
    expect((await made.json()).warnings).toEqual([]);
  });

  it("a rule saved with e-mail before is flagged", async () => {
    const owner = await prisma().owner.findUniqueOrThrow({ where: { slug: "owner-a" } });
    await prisma().alertRule.create({
      data: { name: "old mail", ownerId: owner.id, emailTo: ["ops@a.example"], createdBy: "ana@a.example" },
    });
    const { rules } = await (await call("ana", "GET", "/api/alerts/rules")).json();
    expect(rules.map((r: { name: string; warnings: string[] }) => [r.name, r.warnings])).toEqual([
      ["hook", []],
      ["old mail", ["e-mail cannot be sent: the server has no SMTP_URL"]],
    ]);
  });
});
