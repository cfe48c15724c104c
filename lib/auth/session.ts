import crypto from "node:crypto";
import { env } from "../env";

export const SESSION_COOKIE = "sm_session";

const globalForToken = globalThis as unknown as { storemonAdminToken?: string };

/**
 * The admins' sign-in token: ADMIN_TOKEN, or one made at start (and printed with a sign-in link) so that
 * the demo works and nothing is left open.
 */
export function adminToken(): string {
  const configured = env().ADMIN_TOKEN;
  if (configured) return configured;
  if (!globalForToken.storemonAdminToken) {
    globalForToken.storemonAdminToken = crypto.randomBytes(24).toString("base64url");
    process.env.ADMIN_TOKEN = globalForToken.storemonAdminToken;
    console.log(`[auth] no ADMIN_TOKEN set; admins sign in at /admin/login?token=${globalForToken.storemonAdminToken}`);
  }
  return globalForToken.storemonAdminToken;
}

/** Sessions are signed with a key derived from the admin token: changing the token ends every session. */
function signingKey(): Buffer {
  return crypto.createHash("sha256").update(`session-key:${adminToken()}`).digest();
}

function sign(payload: string): string {
  return crypto.createHmac("sha256", signingKey()).update(payload).digest("base64url");
}

export function equalSecrets(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export function checkAdminToken(candidate: string): boolean {
  return equalSecrets(candidate, adminToken());
}

/** A signed session value that expires after SESSION_HOURS (or at `expiresAt`). */
export function createSession(expiresAt = Date.now() + env().SESSION_HOURS * 3_600_000): { value: string; expiresAt: Date } {
  const payload = Buffer.from(JSON.stringify({ sub: "admin", exp: expiresAt })).toString("base64url");
  return { value: `${payload}.${sign(payload)}`, expiresAt: new Date(expiresAt) };
}

/** True for a well-signed, unexpired session value. */
export function verifySession(value: string | undefined | null): boolean {
  if (!value) return false;
  const [payload, signature] = value.split(".");
  if (!payload || !signature || !equalSecrets(signature, sign(payload))) return false;
  try {
    const { exp } = JSON.parse(Buffer.from(payload, "base64url").toString()) as { exp: number };
    return typeof exp === "number" && exp > Date.now();
  } catch {
    return false;
  }
}

export function sessionCookie(value: string, expiresAt: Date, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Expires=${expiresAt.toUTCString()}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
