import crypto from "node:crypto";
import { prisma } from "../db/prisma";
import { AppError } from "../errors";
import type { ApiKeyView, KeyScope } from "../api/views/auth";

// Service keys made in the admin pages. The key is shown once, when it is made; the table keeps its SHA-256
// (a key is 256 random bits, so a fast hash is enough) and its first characters, to tell keys apart.

const KEY_PREFIX = "smk_";
const hashOf = (key: string) => crypto.createHash("sha256").update(key).digest("hex");
/** Last-used times are written at most this often per key, not on every call. */
const LAST_USED_PRECISION_MS = 60_000;

/**
 * Unrevoked keys an owner may have (keys of every store count as one owner's). Limits count per owner, not per
 * key, so more keys give no more reports; this keeps the list one can read and audit.
 */
export const MAX_KEYS_PER_OWNER = 20;

export async function createApiKey(input: {
  name: string;
  scope: KeyScope;
  ownerId: string | null;
  createdBy: string;
}): Promise<{ key: string; view: ApiKeyView }> {
  const key = KEY_PREFIX + crypto.randomBytes(32).toString("base64url");
  const row = await prisma().$transaction(async (tx) => {
    // One owner's keys are made one at a time, so that keys made at once cannot pass the cap together.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('api-keys:' || ${input.ownerId ?? ""}, 0))`;
    if ((await tx.apiKey.count({ where: { ownerId: input.ownerId, revokedAt: null } })) >= MAX_KEYS_PER_OWNER)
      throw new AppError(
        "too_many_keys",
        409,
        `at most ${MAX_KEYS_PER_OWNER} keys ${input.ownerId ? "per owner" : "for every store"}; revoke one first`,
      );
    return tx.apiKey.create({
      data: { ...input, hash: hashOf(key), prefix: key.slice(0, KEY_PREFIX.length + 6) },
      include: { owner: true },
    });
  });
  return { key, view: view(row) };
}

/** The unrevoked key with this secret, its last use noted (to the minute). */
export async function findApiKey(
  secret: string,
): Promise<{ id: string; name: string; scope: KeyScope; ownerId: string | null; createdBy: string } | null> {
  if (!secret.startsWith(KEY_PREFIX) || secret.length > 100) return null;
  const row = await prisma().apiKey.findUnique({ where: { hash: hashOf(secret) } });
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_PRECISION_MS)
    await prisma().apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return { id: row.id, name: row.name, scope: row.scope as KeyScope, ownerId: row.ownerId, createdBy: row.createdBy };
}

export async function listApiKeys(ownerIds?: readonly string[]): Promise<ApiKeyView[]> {
  const rows = await prisma().apiKey.findMany({
    where: ownerIds ? { ownerId: { in: [...ownerIds] } } : {},
    include: { owner: true },
    orderBy: { createdAt: "desc" },
  });
  return rows.map(view);
}

/** Revokes a key (kept in the list, marked revoked); false when there is no such unrevoked key in `ownerIds`. */
export async function revokeApiKey(id: string, ownerIds?: readonly string[]): Promise<boolean> {
  const { count } = await prisma().apiKey.updateMany({
    where: { id, revokedAt: null, ...(ownerIds ? { ownerId: { in: [...ownerIds] } } : {}) },
    data: { revokedAt: new Date() },
  });
  return count === 1;
}

type Row = Awaited<ReturnType<ReturnType<typeof prisma>["apiKey"]["findFirstOrThrow"]>> & { owner: { slug: string; name: string } | null };

function view(row: Row): ApiKeyView {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: row.id,
    name: row.name,
    scope: row.scope as KeyScope,
    owner: row.owner ? { slug: row.owner.slug, name: row.owner.name } : null,
    prefix: row.prefix,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  };
}
