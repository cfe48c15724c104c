import crypto from "node:crypto";
import { promisify } from "node:util";
import { prisma } from "../db/prisma";
import { env } from "../env";
import { log } from "../log";

export const SESSION_COOKIE = "sm_session";

/** The one account there is; sessions and sign-in limits are kept per account. */
export const ADMIN_ACCOUNT = "admin";

const state = globalThis as unknown as {
  storemonAdminToken?: string;
  storemonTokenGeneration?: { token: string; generation: Promise<string> };
};

/**
 * The admins' sign-in token: ADMIN_TOKEN (`npm start` sets one and prints its sign-in link when none is
 * configured). A server started some other way without it makes one that nobody knows, so that nothing is
 * left open; it is never printed here, as logs are kept and shared.
 */
export function adminToken(): string {
  const configured = env().ADMIN_TOKEN;
  if (configured) return configured;
  if (!state.storemonAdminToken) {
    state.storemonAdminToken = crypto.randomBytes(32).toString("base64url");
    log().warn("no ADMIN_TOKEN set: admin sign-in is closed until the server is started with one (npm start makes one)");
  }
  return state.storemonAdminToken;
}

export function equalSecrets(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export function checkAdminToken(candidate: string): boolean {
  return equalSecrets(candidate, adminToken());
}

const scrypt = promisify(crypto.scrypt) as (password: string, salt: string, length: number) => Promise<Buffer>;

/**
 * Which admin token a session was opened with, so that a new ADMIN_TOKEN ends every session. A slow hash
 * (scrypt, once per process) cut to 64 bits: a copy of the sessions table is no quick test of guessed tokens.
 */
function tokenGeneration(): Promise<string> {
  const token = adminToken();
  if (state.storemonTokenGeneration?.token !== token)
    state.storemonTokenGeneration = { token, generation: scrypt(token, "storemon-session-generation", 8).then((b) => b.toString("hex")) };
  return state.storemonTokenGeneration.generation;
}

/** The sessions table keeps the SHA-256 of the cookie's token, never the token. */
const sessionId = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

/**
 * Opens a session for the admin account that lasts SESSION_HOURS (or until `expiresAt`): its row is stored,
 * its random token goes in the cookie. Expired rows are cleared on the way.
 */
export async function createSession(expiresAt = Date.now() + env().SESSION_HOURS * 3_600_000): Promise<{ value: string; expiresAt: Date }> {
  const value = crypto.randomBytes(32).toString("base64url");
  await prisma().adminSession.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await prisma().adminSession.create({
    data: { id: sessionId(value), account: ADMIN_ACCOUNT, tokenGeneration: await tokenGeneration(), expiresAt: new Date(expiresAt) },
  });
  return { value, expiresAt: new Date(expiresAt) };
}

/** True for the token of a stored, unexpired session opened with the current admin token. */
export async function verifySession(value: string | undefined | null): Promise<boolean> {
  // Tokens are 43 characters; anything far from that is not worth a query.
  if (!value || value.length > 100) return false;
  const session = await prisma().adminSession.findUnique({ where: { id: sessionId(value) } });
  return !!session && session.expiresAt.getTime() > Date.now() && session.tokenGeneration === (await tokenGeneration());
}

/** Ends the session of this token (sign-out): its cookie is refused from now on, wherever it is kept. */
export async function endSession(value: string | undefined | null): Promise<void> {
  if (value && value.length <= 100) await prisma().adminSession.deleteMany({ where: { id: sessionId(value) } });
}

/** Ends every session of the admin account (sign out everywhere); returns how many there were. */
export async function endAllSessions(): Promise<number> {
  return (await prisma().adminSession.deleteMany({ where: { account: ADMIN_ACCOUNT } })).count;
}

export function sessionCookie(value: string, expiresAt: Date, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Expires=${expiresAt.toUTCString()}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
