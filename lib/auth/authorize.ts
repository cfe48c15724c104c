import { prisma } from "../db/prisma";
import { apiKeys } from "../env";
import { AppError } from "../errors";
import type { Access } from "../api/views/auth";
import { findApiKey } from "./api-keys";
import { apiKeyLimitKey } from "./limits";
import { accountsOrKeysExist, signedInPerson, type Person } from "./people";
import { checkSameSite, clientAddress } from "./request-origin";
import { ALL_STORES, type Scope } from "./scope";
import { ADMIN_ACCOUNT, equalSecrets, SESSION_COOKIE, verifySession } from "./session";

export interface Caller {
  /** Who, for the import log: "admin", a person's e-mail, the key used, or "anonymous". */
  actor: string;
  /** The stores this caller may see. */
  scope: Scope;
  /** The person signed in, when it is one (not a key, the bootstrap admin or open mode). */
  person?: Person;
  /**
   * What the caller's rate limits are counted under, each apart: the owners whose stores it sees, the account it
   * is (or that made its key), an unscoped key itself (hashed), or an anonymous caller's address. Counted per owner
   * and per account, so that making more keys gives no more.
   */
  limitKeys: readonly string[];
}

export function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

export function hasAdminSession(request: Request): Promise<boolean> {
  return verifySession(cookieValue(request, SESSION_COOKIE));
}

const ownerLimits = (scope: Scope) => (scope.all ? [] : scope.ownerIds.map((id) => `owner:${id}`));
const accountLimit = (account: string) => `account:${account}`;

/** The stores of the owner a key names by slug (none when there is no such owner yet). */
async function ownerScope(slug: string): Promise<Scope> {
  const owner = await prisma().owner.findUnique({ where: { slug }, select: { id: true } });
  return { all: false, ownerIds: owner ? [owner.id] : [] };
}

/** The caller a bearer key makes, or 401/403. */
async function keyCaller(secret: string, access: Access): Promise<Caller> {
  const configured = apiKeys().find((k) => equalSecrets(k.key, secret));
  const made = configured ? null : await findApiKey(secret);
  if (!configured && !made) throw new AppError("unauthorized", 401, "the API key is not valid");
  const scope = (configured?.scope ?? made!.scope) as Access;
  if (scope !== access) throw new AppError("forbidden", 403, `this API key has the ${scope} scope; this needs ${access}`);
  // A key of an owner counts under that owner (and its maker's account); an unscoped key under itself.
  const limitKeys = (keyScope: Scope, maker?: string) => [
    ...(keyScope.all || keyScope.ownerIds.length === 0 ? [apiKeyLimitKey(secret)] : ownerLimits(keyScope)),
    ...(maker ? [accountLimit(maker)] : []),
  ];
  if (configured) {
    const keyScope = configured.owner ? await ownerScope(configured.owner) : ALL_STORES;
    return { actor: `${scope} key${configured.owner ? `@${configured.owner}` : ""}`, scope: keyScope, limitKeys: limitKeys(keyScope) };
  }
  const keyScope: Scope = made!.ownerId ? { all: false, ownerIds: [made!.ownerId] } : ALL_STORES;
  return { actor: `key ${made!.name}`, scope: keyScope, limitKeys: limitKeys(keyScope, made!.createdBy) };
}

/**
 * Lets a request through when its credentials give `access`, else throws 401 (no or bad credentials) or
 * 403 (credentials without that right). The bootstrap admin (ADMIN_TOKEN session) and admins' accounts give
 * every access over every store; an owner's member gets reports over their owners' stores; a service key gives
 * its scope, over its owner's stores when it names one. Report access is open to anyone in open mode (no
 * API_KEYS, no account, no key made in the admin pages), as the original contract was. A browser carries
 * its cookies, and in open mode needs nothing, whichever site's page makes it send a request: one that
 * changes data must come from this site (403 otherwise). A key is sent only by whoever holds it.
 */
export async function authorize(request: Request, access: Access): Promise<Caller> {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) throw new AppError("unauthorized", 401, "the API key is not valid");
    return keyCaller(match[1]!.trim(), access);
  }
  const changesData = request.method !== "GET" && request.method !== "HEAD";
  if (access === "reports" && apiKeys().length === 0 && !(await accountsOrKeysExist())) {
    if (changesData) checkSameSite(request);
    return { actor: "anonymous", scope: ALL_STORES, limitKeys: [`client:${clientAddress(request)}`] };
  }
  if (await hasAdminSession(request)) {
    if (changesData) checkSameSite(request);
    return { actor: "admin", scope: ALL_STORES, limitKeys: [accountLimit(ADMIN_ACCOUNT)] };
  }
  const person = await signedInPerson(request);
  if (person) {
    if (person.role !== "admin" && access !== "reports" && access !== "account")
      throw new AppError("forbidden", 403, `this needs an admin; ${person.email} is an owner's member`);
    if (changesData) checkSameSite(request);
    const scope = person.role === "admin" ? ALL_STORES : { all: false, ownerIds: person.ownerIds };
    // Keys a person makes carry their e-mail as maker: counted under the same account.
    return { actor: person.email, scope, person, limitKeys: [accountLimit(person.email), ...ownerLimits(scope)] };
  }
  throw new AppError(
    "unauthorized",
    401,
    access === "admin"
      ? "sign in as an admin first"
      : `this needs an API key with the ${access} scope (Authorization: Bearer <key>) or a signed-in account`,
  );
}
