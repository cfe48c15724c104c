import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";
import { prisma } from "../db/prisma";
import { env } from "../env";
import { AppError } from "../errors";

// People's accounts: e-mail and password, sessions, and the links that set or reset a password, all kept by
// better-auth in PostgreSQL through Prisma (users, accounts, account_sessions, verifications). Passwords are
// hashed with scrypt (memory-hard). Its HTTP handler is not mounted: the app's own routes call its API, so
// that sign-in is rate-limited and answered like every other route, and nothing else of it is exposed.

/** Where a password link's token is handed back to whoever asked for the link (see `passwordLink`). */
const linkTokens = new AsyncLocalStorage<{ token?: string }>();

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
/**
 * What a password link is for, and how long it may be used: an invitation waits for someone who may not read their
 * mail today; a reset is asked for by someone who is about to use it, so a stolen one is worth little for long.
 */
export const PASSWORD_LINK_HOURS = { invitation: 72, reset: 1 } as const;
export type PasswordLinkKind = keyof typeof PASSWORD_LINK_HOURS;

/**
 * better-auth is loaded when first needed (a sign-in, a person's cookie), not by every process that imports
 * this module: a server that only answers services and pollers never carries it.
 */
async function makeAuth(secret: string) {
  const [{ betterAuth }, { prismaAdapter }, { admin }] = await Promise.all([
    import("better-auth"),
    import("better-auth/adapters/prisma"),
    import("better-auth/plugins"),
  ]);
  return betterAuth({
    appName: "Store Monitor",
    baseURL: env().PUBLIC_URL ?? "http://localhost:3000",
    secret,
    database: prismaAdapter(prisma(), { provider: "postgresql" }),
    emailAndPassword: {
      enabled: true,
      disableSignUp: true, // accounts are made by admins
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      revokeSessionsOnPasswordReset: true,
      // The longest a link may live; each link's own lifetime (its kind's) is set when it is issued.
      resetPasswordTokenExpiresIn: PASSWORD_LINK_HOURS.invitation * 3600,
      // No mail is sent: the admin who asked for the link is given it (see passwordLink).
      sendResetPassword: async ({ token }) => {
        const store = linkTokens.getStore();
        if (store) store.token = token;
      },
      // The link reached them: their account is in use (an invitation is no longer pending).
      onPasswordReset: async ({ user }) => {
        await prisma().user.update({ where: { id: user.id }, data: { emailVerified: true } });
      },
    },
    // Password-link tokens are kept as hashes (SHA-256, as better-auth's "hashed"): a copy of the table gives no
    // working link; the link's own record (password_links) is kept under the same hash.
    verification: { storeIdentifier: { hash: async (identifier: string) => hashIdentifier(identifier) } },
    session: { modelName: "accountSession", expiresIn: Math.round(env().SESSION_HOURS * 3600), cookieCache: { enabled: false } },
    advanced: { cookiePrefix: "sm" },
    rateLimit: { enabled: false }, // sign-in attempts are counted by lib/auth/limits.ts, shared by every web server
    telemetry: { enabled: false },
    plugins: [admin({ defaultRole: "user", adminRoles: ["admin"] })],
  });
}

type Auth = Awaited<ReturnType<typeof makeAuth>>;

/** Whether better-auth refused a call with one of these HTTP statuses (a wrong password, a used link). */
export function refusedWith(e: unknown, ...statuses: number[]): boolean {
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  return e instanceof Error && e.name === "APIError" && typeof status === "number" && statuses.includes(status);
}
const state = globalThis as unknown as { storemonAuth?: Promise<Auth> };

/** The server's secret: AUTH_SECRET, else the one made for the database and kept in it. */
export async function serverSecret(): Promise<string> {
  return env().AUTH_SECRET ?? (await prisma().authSecret.findUniqueOrThrow({ where: { id: true } })).secret;
}

/** This process's better-auth, signing cookies with the server's secret. */
export function accounts(): Promise<Auth> {
  state.storemonAuth ??= (async () => makeAuth(await serverSecret()))().catch((e) => {
    state.storemonAuth = undefined; // a database away at the first call: try again next time
    throw e;
  });
  return state.storemonAuth;
}

const hashIdentifier = (identifier: string) => crypto.createHash("sha256").update(identifier).digest("base64url");

/** The hash under which a password link's token is kept, by better-auth (verifications) and by its record. */
export const linkIdentifier = (token: string) => hashIdentifier(`reset-password:${token}`);

type Transaction = Parameters<Parameters<ReturnType<typeof prisma>["$transaction"]>[0]>[0];

/** Ends every outstanding link of an account but `keep`: its record says why, and better-auth's token goes. */
async function endOtherLinks(tx: Transaction, userId: string, keep: string, endedBy: "superseded" | "used"): Promise<void> {
  await tx.passwordLink.updateMany({
    where: { userId, endedAt: null, identifier: { not: keep } },
    data: { endedAt: new Date(), endedBy },
  });
  await tx.verification.deleteMany({ where: { value: userId, identifier: { not: keep } } });
}

/**
 * A one-time link token that lets `email`'s person choose a password: an invitation for a new account, or a
 * reset. It is the account's only live link: every link issued before it stops working. Null when no account
 * has that e-mail.
 */
export async function passwordLinkToken(email: string, kind: PasswordLinkKind): Promise<string | null> {
  const user = await prisma().user.findUnique({ where: { email }, select: { id: true } });
  if (!user) return null;
  const auth = await accounts();
  const store: { token?: string } = {};
  await linkTokens.run(store, () => auth.api.requestPasswordReset({ body: { email } }));
  if (!store.token) return null;
  const identifier = linkIdentifier(store.token);
  const expiresAt = new Date(Date.now() + PASSWORD_LINK_HOURS[kind] * 3600 * 1000);
  const live = await prisma().$transaction(async (tx) => {
    // Links of one account are issued one at a time, so that exactly one stays live.
    await tx.$executeRaw`SELECT 1 FROM users WHERE id = ${user.id} FOR UPDATE`;
    await endOtherLinks(tx, user.id, identifier, "superseded");
    const kept = await tx.verification.updateMany({ where: { identifier }, data: { expiresAt } });
    // Gone: a link issued at the same moment, and recorded first, ended this one.
    const ended = kept.count === 0 ? { endedAt: new Date(), endedBy: "superseded" } : {};
    await tx.passwordLink.create({ data: { identifier, userId: user.id, kind, expiresAt, ...ended } });
    return kept.count > 0;
  });
  if (!live) throw new AppError("link_superseded", 409, `another link was issued for ${email} at the same moment; ask for a new one`);
  return store.token;
}

/** Why a password link works or not. */
export type PasswordLinkState = "live" | "used" | "superseded" | "expired" | "unknown";

export async function passwordLinkState(token: string): Promise<PasswordLinkState> {
  const link = await prisma().passwordLink.findUnique({ where: { identifier: linkIdentifier(token) } });
  if (!link) return "unknown";
  if (link.endedBy === "used" || link.endedBy === "superseded") return link.endedBy;
  return link.expiresAt.getTime() <= Date.now() ? "expired" : "live";
}

/** After a link set its account's password: it is used, and every other link of the account ends. The account's e-mail. */
export async function passwordLinkUsed(token: string): Promise<{ email: string }> {
  const identifier = linkIdentifier(token);
  return prisma().$transaction(async (tx) => {
    const link = await tx.passwordLink.update({
      where: { identifier },
      data: { endedAt: new Date(), endedBy: "used" },
      include: { user: { select: { email: true } } },
    });
    await endOtherLinks(tx, link.userId, identifier, "superseded");
    return { email: link.user.email };
  });
}
