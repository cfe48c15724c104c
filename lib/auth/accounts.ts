import { AsyncLocalStorage } from "node:async_hooks";
import { prisma } from "../db/prisma";
import { env } from "../env";

// People's accounts: e-mail and password, sessions, and the links that set or reset a password, all kept by
// better-auth in PostgreSQL through Prisma (users, accounts, account_sessions, verifications). Passwords are
// hashed with scrypt (memory-hard). Its HTTP handler is not mounted: the app's own routes call its API, so
// that sign-in is rate-limited and answered like every other route, and nothing else of it is exposed.

/** Where a password link's token is handed back to whoever asked for the link (see `passwordLink`). */
const linkTokens = new AsyncLocalStorage<{ token?: string }>();

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
/** How long an invitation or reset link may be used. */
export const PASSWORD_LINK_HOURS = 72;

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
      resetPasswordTokenExpiresIn: PASSWORD_LINK_HOURS * 3600,
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
    // Password-link tokens are kept as hashes: a copy of the table gives no working link.
    verification: { storeIdentifier: "hashed" },
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

/**
 * A one-time link token that lets `email`'s person choose a password: an invitation for a new account, or a
 * reset. Null when no account has that e-mail.
 */
export async function passwordLinkToken(email: string): Promise<string | null> {
  const auth = await accounts();
  const store: { token?: string } = {};
  await linkTokens.run(store, () => auth.api.requestPasswordReset({ body: { email } }));
  return store.token ?? null;
}
