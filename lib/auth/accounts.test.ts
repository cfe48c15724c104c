// People's accounts through better-auth on a real database: passwords hashed, sessions ended for real.
import { describe, expect, it } from "vitest";
import { setUpTestDatabase } from "../../tests/database";
import { pool } from "../db/pool";
import { accounts, passwordLinkToken } from "./accounts";

await setUpTestDatabase();

describe("accounts", () => {
  it("an account made by an admin signs in with its password; the hash is scrypt's; sign-out ends the session", async () => {
    const auth = await accounts();
    const { user } = await auth.api.createUser({
      body: { email: "ana@example.com", password: "correct horse battery", name: "Ana", role: "user" },
    });
    const { rows } = await pool().query("SELECT password FROM accounts WHERE user_id = $1", [user.id]);
    expect(rows[0].password).not.toContain("correct horse");
    expect(rows[0].password).toMatch(/^[0-9a-f]+:[0-9a-f]+$/); // salt:scrypt key
    const signedIn = await auth.api.signInEmail({
      body: { email: "ana@example.com", password: "correct horse battery" },
      returnHeaders: true,
    });
    const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
    expect(cookie).toMatch(/^sm\.session_token=/);
    const headers = new Headers({ cookie });
    expect((await auth.api.getSession({ headers }))?.user.email).toBe("ana@example.com");
    await auth.api.signOut({ headers });
    expect(await auth.api.getSession({ headers })).toBeNull();
    await expect(auth.api.signInEmail({ body: { email: "ana@example.com", password: "wrong password here" } })).rejects.toThrow();
  });

  it("a password link sets a new password once, and ends the account's sessions", async () => {
    const auth = await accounts();
    await auth.api.createUser({ body: { email: "ben@example.com", password: "first password 123", name: "Ben", role: "user" } });
    const signedIn = await auth.api.signInEmail({
      body: { email: "ben@example.com", password: "first password 123" },
      returnHeaders: true,
    });
    const headers = new Headers({ cookie: signedIn.headers.get("set-cookie")!.split(";")[0]! });
    const token = (await passwordLinkToken("ben@example.com", "reset"))!;
    expect(token).toMatch(/^\w{16,}$/);
    await auth.api.resetPassword({ body: { token, newPassword: "second password 456" } });
    expect(await auth.api.getSession({ headers })).toBeNull();
    await expect(auth.api.resetPassword({ body: { token, newPassword: "third password 789" } })).rejects.toThrow();
    await auth.api.signInEmail({ body: { email: "ben@example.com", password: "second password 456" } });
    expect(await passwordLinkToken("nobody@example.com", "reset")).toBeNull();
  });
});
