// schema.prisma and the SQL migrations agree: every model is written and read back through the generated
// client on a freshly migrated database, every field included.
import { describe, expect, it } from "vitest";
import { setUpTestDatabase } from "../../tests/database";
import { prisma } from "./prisma";

await setUpTestDatabase();

describe("schema.prisma matches the migrated database", () => {
  it("Poll, with microsecond timestamps and text store ids", async () => {
    const at = new Date("2023-01-22T12:09:39.388Z");
    await prisma().poll.create({ data: { storeId: "1481966498820158979", timestampUtc: at, status: "inactive" } });
    expect(await prisma().poll.findMany()).toEqual([{ storeId: "1481966498820158979", timestampUtc: at, status: "inactive" }]);
  });

  it("PollStore, kept by the triggers on polls", async () => {
    await prisma().poll.createMany({
      data: [
        { storeId: "ps", timestampUtc: new Date("2023-02-01T00:00:00Z"), status: "active" },
        { storeId: "ps", timestampUtc: new Date("2023-01-05T00:00:00Z"), status: "inactive" },
      ],
    });
    expect(await prisma().pollStore.findUnique({ where: { storeId: "ps" } })).toEqual({
      storeId: "ps",
      firstPollAt: new Date("2023-01-05T00:00:00Z"),
      lastPollAt: new Date("2023-02-01T00:00:00Z"),
      lastActive: true,
      runFirstPollAt: new Date("2023-02-01T00:00:00Z"),
      runAfterPollAt: new Date("2023-01-05T00:00:00Z"),
    });
    await prisma().poll.deleteMany({ where: { storeId: "ps", timestampUtc: new Date("2023-01-05T00:00:00Z") } });
    expect(await prisma().pollStore.findUnique({ where: { storeId: "ps" } })).toMatchObject({
      firstPollAt: new Date("2023-02-01T00:00:00Z"),
      runFirstPollAt: new Date("2023-02-01T00:00:00Z"),
      runAfterPollAt: null,
    });
    await prisma().poll.deleteMany({ where: { storeId: "ps" } });
    expect(await prisma().pollStore.findUnique({ where: { storeId: "ps" } })).toBeNull();
  });

  it("StoreDay, computed for the spans the triggers mark stale", async () => {
    const row = { storeId: "sd", day: new Date("2023-01-05T00:00:00Z"), upUs: 3.6e9 + 0.5, downUs: 0, coveredUs: 5.4e9, polls: 2 };
    await prisma().storeDay.create({ data: row });
    expect(await prisma().storeDay.findMany({ where: { storeId: "sd" } })).toEqual([row]);
  });

  it("BusinessHours", async () => {
    const row = {
      storeId: "s1",
      dayOfWeek: 6,
      startTimeLocal: new Date("1970-01-01T09:30:00Z"),
      endTimeLocal: new Date("1970-01-01T23:59:59Z"),
    };
    await prisma().businessHours.create({ data: row });
    expect(await prisma().businessHours.findMany()).toEqual([row]);
  });

  it("StoreTimezone", async () => {
    await prisma().storeTimezone.create({ data: { storeId: "s1", timezone: "Asia/Kolkata" } });
    expect(await prisma().storeTimezone.findUnique({ where: { storeId: "s1" } })).toEqual({ storeId: "s1", timezone: "Asia/Kolkata" });
  });

  it("Report and ReportRow, with their relation and defaults", async () => {
    const asOf = new Date("2024-10-14T23:55:18.727Z");
    await prisma().report.create({
      data: {
        id: "r".repeat(22),
        asOf,
        asOfSource: "request",
        rows: {
          create: [
            {
              storeId: "s1",
              uptimeLastHour: "60",
              uptimeLastDay: "1.74",
              uptimeLastWeek: "100.5",
              downtimeLastHour: "0",
              downtimeLastDay: "1.26",
              downtimeLastWeek: "67.5",
            },
          ],
        },
      },
    });
    const report = await prisma().report.findUniqueOrThrow({ where: { id: "r".repeat(22) }, include: { rows: true } });
    expect(report).toMatchObject({ status: "Queued", asOf, storesDone: 0, attempts: 0, storesTotal: null, error: null, jobId: null });
    expect(report.createdAt).toBeInstanceOf(Date);
    expect(report.rows.map((r) => [r.storeId, r.uptimeLastDay.toString(), r.downtimeLastWeek.toFixed(2)])).toEqual([
      ["s1", "1.74", "67.50"],
    ]);
    await prisma().report.update({
      where: { id: report.id },
      data: { status: "Complete", startedAt: asOf, finishedAt: asOf, jobId: "j", error: "e", storesTotal: 1, storesDone: 1, attempts: 1 },
    });
    await prisma().report.delete({ where: { id: report.id } });
    expect(await prisma().reportRow.count()).toBe(0); // rows go with their report
  });

  it("ImportLog", async () => {
    const entry = await prisma().importLog.create({
      data: {
        fileName: "store_status.csv",
        kind: "polls",
        actor: "cli",
        outcome: "loaded",
        rowsRead: 3,
        rowsAdded: 2,
        rowsDuplicate: 1,
        rowsRejected: 0,
        finishedAt: new Date(),
        message: "m",
      },
    });
    expect(await prisma().importLog.findUnique({ where: { id: entry.id } })).toEqual(entry);
  });

  it("AdminSession, with its default creation time", async () => {
    const expiresAt = new Date("2030-01-01T00:00:00.123Z");
    const session = await prisma().adminSession.create({
      data: { id: "a".repeat(64), account: "admin", tokenGeneration: "0123456789abcdef", expiresAt },
    });
    expect(session.createdAt).toBeInstanceOf(Date);
    expect(await prisma().adminSession.findUnique({ where: { id: session.id } })).toEqual({ ...session, expiresAt });
  });

  it("RateLimit, as rate-limiter-flexible writes it", async () => {
    const row = { key: "trigger:key:x", points: 3, expire: BigInt(Date.now() + 60_000) };
    await prisma().rateLimit.create({ data: row });
    expect(await prisma().rateLimit.findUnique({ where: { key: row.key } })).toEqual(row);
    await prisma().rateLimit.create({ data: { key: "no-expiry" } });
    expect(await prisma().rateLimit.findUnique({ where: { key: "no-expiry" } })).toEqual({ key: "no-expiry", points: 0, expire: null });
  });

  it("User, AccountSession, Account and Verification (better-auth's), with their relations", async () => {
    const at = new Date("2030-01-01T00:00:00.123Z");
    const user = await prisma().user.create({
      data: { id: "u1", name: "Ana", email: "ana@example.com", role: "user", banExpires: at, banReason: "r" },
    });
    expect(user).toMatchObject({ emailVerified: false, banned: false, image: null });
    await prisma().accountSession.create({
      data: { id: "s1", token: "t1", expiresAt: at, userId: "u1", ipAddress: "::1", userAgent: "ua", impersonatedBy: null },
    });
    await prisma().account.create({
      data: {
        id: "a1",
        accountId: "u1",
        providerId: "credential",
        userId: "u1",
        password: "salt:hash",
        accessTokenExpiresAt: at,
        refreshTokenExpiresAt: at,
      },
    });
    await prisma().verification.create({ data: { id: "v1", identifier: "reset-password:x", value: "u1", expiresAt: at } });
    const link = await prisma().passwordLink.create({ data: { identifier: "h1", userId: "u1", kind: "reset", expiresAt: at } });
    expect(link).toMatchObject({ endedAt: null, endedBy: null, createdAt: expect.any(Date) });
    await prisma().passwordLink.update({ where: { identifier: "h1" }, data: { endedAt: at, endedBy: "used" } });
    const read = await prisma().user.findUniqueOrThrow({
      where: { email: "ana@example.com" },
      include: { sessions: true, accounts: true },
    });
    expect(read.sessions[0]).toMatchObject({ token: "t1", expiresAt: at, ipAddress: "::1" });
    expect(read.accounts[0]).toMatchObject({ password: "salt:hash", accessTokenExpiresAt: at });
    expect(await prisma().verification.findFirst({ where: { identifier: "reset-password:x" } })).toMatchObject({
      value: "u1",
      expiresAt: at,
    });
    await prisma().user.delete({ where: { id: "u1" } });
    expect(await prisma().accountSession.count()).toBe(0); // sessions and accounts go with their user
    expect(await prisma().account.count()).toBe(0);
    expect(await prisma().passwordLink.count()).toBe(0); // and its password links
  });

  it("Owner, OwnerMember, Store and ApiKey, with their relations; the one AuthSecret row", async () => {
    await prisma().user.create({ data: { id: "u2", name: "Bo", email: "bo@example.com" } });
    const owner = await prisma().owner.create({ data: { slug: "acme", name: "Acme" } });
    await prisma().ownerMember.create({ data: { ownerId: owner.id, userId: "u2" } });
    expect(await prisma().ownerMember.findMany({ select: { role: true } })).toEqual([{ role: "member" }]); // a plain member by default
    await prisma().ownerMember.update({ where: { ownerId_userId: { ownerId: owner.id, userId: "u2" } }, data: { role: "manager" } });
    await expect(
      prisma().ownerMember.update({ where: { ownerId_userId: { ownerId: owner.id, userId: "u2" } }, data: { role: "boss" } }),
    ).rejects.toThrow(/owner_members_role/);
    await prisma().store.create({ data: { storeId: "s1", name: "One", address: "1 Main St", ownerId: owner.id } });
    const key = await prisma().apiKey.create({
      data: { name: "pos", scope: "reports", ownerId: owner.id, hash: "h", prefix: "smk_abc", createdBy: "admin" },
    });
    expect(key).toMatchObject({ lastUsedAt: null, revokedAt: null });
    expect(
      await prisma().owner.findUniqueOrThrow({
        where: { slug: "acme" },
        include: { _count: { select: { members: true, stores: true, apiKeys: true } } },
      }),
    ).toMatchObject({
      _count: { members: 1, stores: 1, apiKeys: 1 },
    });
    await prisma().owner.delete({ where: { id: owner.id } });
    expect(await prisma().store.findUniqueOrThrow({ where: { storeId: "s1" } })).toMatchObject({ ownerId: null, name: "One" }); // the store stays
    expect(await prisma().apiKey.count()).toBe(0); // an owner's keys go with it
    expect((await prisma().authSecret.findUniqueOrThrow({ where: { id: true } })).secret).toMatch(/^[0-9a-f]{64}$/);
  });

  it("Incident and AlertDelivery, with their relation; ReportRow's freshness fields", async () => {
    const at = new Date("2026-11-28T12:00:00.123Z");
    const incident = await prisma().incident.create({ data: { storeId: "s1", kind: "no_data", startedAt: at, openedAt: at } });
    expect(incident).toMatchObject({ resolvedAt: null, recordedAt: expect.any(Date) });
    await prisma().alertDelivery.create({
      data: { incidentId: incident.id, event: "opened", channel: "webhook:default", lastError: "e", deliveredAt: at },
    });
    expect(await prisma().incident.findUniqueOrThrow({ where: { id: incident.id }, include: { deliveries: true } })).toMatchObject({
      deliveries: [{ attempts: 0, deliveredAt: at, lastAttemptAt: null, skippedReason: null }],
    });
    await prisma().incident.update({
      where: { id: incident.id },
      data: { acknowledgedAt: at, acknowledgedBy: "ana@example.com", acknowledgementNote: "on it" },
    });
    expect(await prisma().incident.findUniqueOrThrow({ where: { id: incident.id } })).toMatchObject({
      acknowledgedAt: at,
      acknowledgedBy: "ana@example.com",
      acknowledgementNote: "on it",
    });
    await prisma().incident.delete({ where: { id: incident.id } });
    expect(await prisma().alertDelivery.count()).toBe(0);
    await prisma().report.create({ data: { id: "f".repeat(22), asOf: at, asOfSource: "request" } });
    const row = {
      reportId: "f".repeat(22),
      storeId: "s1",
      uptimeLastHour: "1",
      uptimeLastDay: "1",
      uptimeLastWeek: "1",
      downtimeLastHour: "0",
      downtimeLastDay: "0",
      downtimeLastWeek: "0",
    };
    await prisma().reportRow.create({ data: { ...row, lastPollAt: at, pollCoverage: 0.5, freshness: "stale" } });
    expect(await prisma().reportRow.findFirstOrThrow()).toMatchObject({ lastPollAt: at, pollCoverage: 0.5, freshness: "stale" });
  });

  it("AlertRule, with its owner; a report's delivery; one of incident or report per delivery", async () => {
    const owner = await prisma().owner.create({ data: { slug: "rules", name: "Rules" } });
    const rule = await prisma().alertRule.create({
      data: {
        name: "weekly",
        kind: "report",
        ownerId: owner.id,
        schedule: "weekly",
        atTime: "07:00",
        weekday: 1,
        timeZone: "Asia/Kolkata",
        emailTo: ["a@b.example"],
        createdBy: "test",
      },
    });
    expect(rule).toMatchObject({
      storeIds: [],
      afterMinutes: 15,
      noDataMinutes: null,
      webhookUrl: null,
      lastRunFor: null,
      createdAt: expect.any(Date),
    });
    await expect(
      prisma().alertRule.create({ data: { name: "bad", kind: "report", schedule: "daily", atTime: "25:00", createdBy: "test" } }),
    ).rejects.toThrow();
    const at = new Date("2026-11-28T12:00:00.123Z");
    await prisma().report.create({ data: { id: "r".repeat(22), asOf: at, asOfSource: "request" } });
    await prisma().alertDelivery.create({ data: { reportId: "r".repeat(22), event: "report", channel: `email:${rule.id}` } });
    await expect(prisma().alertDelivery.create({ data: { event: "report", channel: "email:x" } })).rejects.toThrow(); // neither
    await prisma().report.delete({ where: { id: "r".repeat(22) } });
    expect(await prisma().alertDelivery.count()).toBe(0); // a report's deliveries go with it
    await prisma().owner.delete({ where: { id: owner.id } });
    expect(await prisma().alertRule.count()).toBe(0); // an owner's rules go with it
  });

  it("StoreMute, one per store, ending after it began", async () => {
    const row = {
      storeId: "s1",
      mutedBy: "ana@example.com",
      mutedAt: new Date("2026-12-07T06:00:00.5Z"),
      mutedUntil: new Date("2026-12-07T07:00:00Z"),
    };
    await prisma().storeMute.create({ data: row });
    expect(await prisma().storeMute.findMany()).toEqual([row]);
    await expect(prisma().storeMute.create({ data: row })).rejects.toThrow();
    await expect(prisma().storeMute.create({ data: { ...row, storeId: "s2", mutedUntil: row.mutedAt } })).rejects.toThrow();
  });

  it("AlertRound (one row) and AlertCheck, with microsecond instants", async () => {
    const at = new Date("2026-12-07T05:00:00.123Z");
    expect(await prisma().alertRound.findMany()).toEqual([{ id: true, evaluatedAt: null, rules: null }]);
    await prisma().alertRound.update({ where: { id: true }, data: { evaluatedAt: at, rules: "f".repeat(64) } });
    expect(await prisma().alertRound.findMany()).toEqual([{ id: true, evaluatedAt: at, rules: "f".repeat(64) }]);
    await expect(prisma().alertRound.create({ data: { id: false, evaluatedAt: at, rules: "" } })).rejects.toThrow();
    await prisma().alertCheck.create({ data: { storeId: "s1", nextCheckAt: at } });
    expect(await prisma().alertCheck.findMany()).toEqual([{ storeId: "s1", nextCheckAt: at }]);
  });
});
