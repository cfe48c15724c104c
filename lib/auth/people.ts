import crypto from "node:crypto";
import { prisma } from "../db/prisma";
import { AppError } from "../errors";
import type { PersonRole, PersonView } from "../api/views/auth";
import { accounts, passwordLinkToken } from "./accounts";

// People (admins and owners' members) and what they may see. Accounts are made by admins: an invitation is an
// account with a password nobody knows and a link to choose one.

export interface Person {
  id: string;
  name: string;
  email: string;
  role: PersonRole;
  /** The owners whose stores a member sees. */
  ownerIds: string[];
  /** Those of them whose team they manage. */
  managerOf: string[];
}

const SESSION_COOKIE_PATTERN = /(?:^|;\s*)(?:__Secure-)?sm\.session_token=/;

/** The person signed in on this request (better-auth's session cookie), or null. */
export async function signedInPerson(request: Request): Promise<Person | null> {
  if (!SESSION_COOKIE_PATTERN.test(request.headers.get("cookie") ?? "")) return null;
  const auth = await accounts();
  const session = await auth.api.getSession({ headers: request.headers });
  if (!session) return null;
  const memberships = await prisma().ownerMember.findMany({ where: { userId: session.user.id }, select: { ownerId: true, role: true } });
  return {
    id: session.user.id,
    name: session.user.name,
    email: session.user.email,
    role: session.user.role === "admin" ? "admin" : "member",
    ownerIds: memberships.map((m) => m.ownerId),
    managerOf: memberships.filter((m) => m.role === "manager").map((m) => m.ownerId),
  };
}

const state = globalThis as unknown as { storemonAccountsExist?: { exist: boolean; at: number } };
/** How long this process trusts its last look at whether any account or key exists. */
const OPEN_MODE_RECHECK_MS = 2000;

/**
 * Whether any account, or any unrevoked key made in the admin pages, exists: while none does (and API_KEYS is
 * empty) reports are open to anyone, as the original contract had it. Looked up at most every two seconds, as
 * status calls come by the thousand.
 */
export async function accountsOrKeysExist(): Promise<boolean> {
  const known = state.storemonAccountsExist;
  if (known && Date.now() - known.at < OPEN_MODE_RECHECK_MS) return known.exist;
  const [users, keys] = await Promise.all([
    prisma().user.count({ take: 1 }),
    prisma().apiKey.count({ where: { revokedAt: null }, take: 1 }),
  ]);
  state.storemonAccountsExist = { exist: users + keys > 0, at: Date.now() };
  return users + keys > 0;
}

/** This process closes open mode at once when it makes an account or key (others see it within two seconds). */
export function closeOpenMode(): void {
  state.storemonAccountsExist = { exist: true, at: Date.now() };
}

/** After an account or key is removed, the next request looks again (the last one gone reopens open mode). */
export function recheckOpenMode(): void {
  state.storemonAccountsExist = undefined;
}

/**
 * Makes an account for `email` (role admin, or member of `ownerId`) and returns the one-time link token with
 * which they choose their password.
 */
export async function invitePerson(input: {
  email: string;
  name: string;
  role: PersonRole;
  ownerId: string | null;
}): Promise<{ person: PersonView; token: string }> {
  if (input.role === "member" && !input.ownerId) throw new AppError("invalid_body", 400, "a member belongs to an owner: choose one");
  const email = input.email.trim().toLowerCase();
  if (await prisma().user.findUnique({ where: { email } })) throw new AppError("person_exists", 409, `${email} has an account already`);
  if (input.ownerId && !(await prisma().owner.findUnique({ where: { id: input.ownerId } })))
    throw new AppError("owner_not_found", 404, `no owner ${input.ownerId}`);
  const auth = await accounts();
  // A password nobody knows, until the link sets theirs.
  const { user } = await auth.api.createUser({
    body: {
      email,
      name: input.name.trim(),
      password: crypto.randomBytes(32).toString("base64url"),
      role: input.role === "admin" ? "admin" : "user",
    },
  });
  closeOpenMode();
  if (input.ownerId) await prisma().ownerMember.create({ data: { ownerId: input.ownerId, userId: user.id } });
  const token = (await passwordLinkToken(email, "invitation"))!;
  return { person: (await listPeople({ ids: [user.id] }))[0]!, token };
}

/** A new link for `userId` to choose a password (the old password keeps working until it is used), and their e-mail. */
export async function passwordResetToken(userId: string, ownerIds?: readonly string[]): Promise<{ email: string; token: string }> {
  const user = await findPerson(userId, ownerIds);
  return { email: user.email, token: (await passwordLinkToken(user.email, "reset"))! };
}

/** Deletes an account: its sessions end with it, and the keys it made are revoked. */
export async function removePerson(userId: string, ownerIds?: readonly string[]): Promise<void> {
  const user = await findPerson(userId, ownerIds);
  await prisma().$transaction([
    prisma().apiKey.updateMany({ where: { createdBy: user.email, revokedAt: null }, data: { revokedAt: new Date() } }),
    prisma().user.delete({ where: { id: userId } }),
  ]);
  recheckOpenMode();
}

async function findPerson(userId: string, ownerIds?: readonly string[]) {
  const user = await prisma().user.findFirst({
    where: { id: userId, ...(ownerIds ? { memberships: { some: { ownerId: { in: [...ownerIds] } } } } : {}) },
  });
  if (!user) throw new AppError("person_not_found", 404, `no person ${userId}`);
  return user;
}

/** People, newest first: all of them, or those of some owners, or the given ones. */
export async function listPeople(filter: { ownerIds?: readonly string[]; ids?: readonly string[] } = {}): Promise<PersonView[]> {
  const users = await prisma().user.findMany({
    where: {
      ...(filter.ids ? { id: { in: [...filter.ids] } } : {}),
      ...(filter.ownerIds ? { memberships: { some: { ownerId: { in: [...filter.ownerIds] } } } } : {}),
    },
    include: { memberships: { include: { owner: true } } },
    orderBy: { createdAt: "desc" },
  });
  return users.map((u) => ({
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role === "admin" ? "admin" : "member",
    owners: u.memberships.map((m) => ({
      id: m.owner.id,
      slug: m.owner.slug,
      name: m.owner.name,
      role: m.role === "manager" ? "manager" : "member",
    })),
    active: u.emailVerified,
    createdAt: u.createdAt.toISOString(),
  }));
}
