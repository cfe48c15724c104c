// Server-side sessions on a real database: the cookie's token is the key, the table keeps only its hash.
import crypto from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { setUpTestDatabase } from "../../tests/database";
import { pool } from "../db/pool";
import { createSession, endAllSessions, endSession, verifySession } from "./session";

await setUpTestDatabase();
const TOKEN = "session-test-admin-token-0123";

beforeEach(async () => {
  process.env.ADMIN_TOKEN = TOKEN;
  await pool().query("TRUNCATE sessions");
});

describe("admin sessions", () => {
  it("a new session is valid; the table holds the SHA-256 of its token, never the token", async () => {
    const { value, expiresAt } = await createSession();
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    expect(await verifySession(value)).toBe(true);
    const { rows } = await pool().query("SELECT * FROM sessions");
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toBe(crypto.createHash("sha256").update(value).digest("hex"));
    expect(JSON.stringify(rows)).not.toContain(value);
    expect(JSON.stringify(rows)).not.toContain(TOKEN);
    expect(rows[0]).toMatchObject({ account: "admin", expires_at: expiresAt });
  });

  it("unknown, malformed and empty tokens are refused", async () => {
    await createSession();
    for (const value of [undefined, null, "", "x", crypto.randomBytes(32).toString("base64url"), "a".repeat(5000)])
      expect(await verifySession(value)).toBe(false);
  });

  it("an expired session is refused", async () => {
    const { value } = await createSession(Date.now() - 1000);
    expect(await verifySession(value)).toBe(false);
  });

  it("signing out ends that session only", async () => {
    const [a, b] = [await createSession(), await createSession()];
    await endSession(a.value);
    expect(await verifySession(a.value)).toBe(false);
    expect(await verifySession(b.value)).toBe(true);
  });

  it("signing out everywhere ends every session", async () => {
    const sessions = [await createSession(), await createSession(), await createSession()];
    expect(await endAllSessions()).toBe(3);
    for (const s of sessions) expect(await verifySession(s.value)).toBe(false);
  });

  it("a new ADMIN_TOKEN ends every session opened with the old one", async () => {
    const { value } = await createSession();
    process.env.ADMIN_TOKEN = "another-admin-token-456789";
    expect(await verifySession(value)).toBe(false);
    process.env.ADMIN_TOKEN = TOKEN;
    expect(await verifySession(value)).toBe(true);
  });

  it("expired rows are cleared when a session is opened", async () => {
    await createSession(Date.now() - 1000);
    await createSession();
    expect((await pool().query("SELECT count(*)::int AS n FROM sessions")).rows[0].n).toBe(1);
  });
});
