import { prisma } from "../db/prisma";
import type { OwnerView } from "../api/views/owners";
import { OWNER_SLUG } from "../text";
import { AppError } from "../errors";
import { parseStoreId, STORE_ID_EXPECTED } from "../feeds/values";

// Owners (restaurant groups) and which stores are theirs. The store directory feed assigns stores too
// (lib/feeds/load.ts, in SQL within its load); this is the admin pages' way in.

export async function listOwners(): Promise<OwnerView[]> {
  const owners = await prisma().owner.findMany({
    include: { _count: { select: { stores: true, members: true } } },
    orderBy: { name: "asc" },
  });
  return owners.map((o) => ({
    id: o.id,
    slug: o.slug,
    name: o.name,
    stores: o._count.stores,
    members: o._count.members,
    createdAt: o.createdAt.toISOString(),
  }));
}

export async function createOwner(input: { slug: string; name: string }): Promise<OwnerView> {
  const slug = input.slug.trim().toLowerCase();
  if (!OWNER_SLUG.test(slug))
    throw new AppError("invalid_body", 400, `field slug ${JSON.stringify(input.slug)}: lower-case letters, digits and dashes, at most 40`);
  if (await prisma().owner.findUnique({ where: { slug } })) throw new AppError("owner_exists", 409, `there is an owner ${slug} already`);
  const owner = await prisma().owner.create({ data: { slug, name: input.name.trim() } });
  return { id: owner.id, slug, name: owner.name, stores: 0, members: 0, createdAt: owner.createdAt.toISOString() };
}

/** The owner with this slug, or 404. */
export async function ownerBySlug(slug: string): Promise<{ id: string; slug: string; name: string }> {
  const owner = await prisma().owner.findUnique({ where: { slug } });
  if (!owner) throw new AppError("owner_not_found", 404, `no owner ${slug}`);
  return owner;
}

/** Makes these stores the owner's (stores not in the directory yet are added to it, without a name). */
export async function assignStores(slug: string, storeIds: readonly string[]): Promise<{ assigned: number }> {
  const owner = await ownerBySlug(slug);
  const ids = storeIds.map((raw, i) => {
    const id = parseStoreId(raw);
    if (id === null) throw new AppError("invalid_body", 400, `field storeIds.${i} ${JSON.stringify(raw)}: expected ${STORE_ID_EXPECTED}`);
    return id;
  });
  const [, updated] = await prisma().$transaction([
    prisma().store.createMany({ data: ids.map((storeId) => ({ storeId })), skipDuplicates: true }),
    prisma().store.updateMany({ where: { storeId: { in: ids } }, data: { ownerId: owner.id } }),
  ]);
  return { assigned: updated.count };
}

/** Deletes an owner: its stores stay in the directory without an owner, its members lose their access to them. */
export async function deleteOwner(slug: string): Promise<void> {
  const owner = await ownerBySlug(slug);
  await prisma().owner.delete({ where: { id: owner.id } });
}
