import { prisma } from "../db/prisma";
import type { DirectoryPage, DirectoryQuery, OwnerView } from "../api/views/owners";
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

/** Store ids from a request's body, each checked as a feed's store id is: 400 naming the first bad one. */
function checkedStoreIds(storeIds: readonly string[]): string[] {
  return storeIds.map((raw, i) => {
    const id = parseStoreId(raw);
    if (id === null) throw new AppError("invalid_body", 400, `field storeIds.${i} ${JSON.stringify(raw)}: expected ${STORE_ID_EXPECTED}`);
    return id;
  });
}

/** Makes these stores the owner's (stores not in the directory yet are added to it, without a name). */
export async function assignStores(slug: string, storeIds: readonly string[]): Promise<{ assigned: number }> {
  const owner = await ownerBySlug(slug);
  const ids = checkedStoreIds(storeIds);
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

/** Takes these stores from the owner: they stay in the directory without an owner. Stores that were not its are left alone. */
export async function removeStores(slug: string, storeIds: readonly string[]): Promise<{ removed: number }> {
  const owner = await ownerBySlug(slug);
  const ids = checkedStoreIds(storeIds);
  const { count } = await prisma().store.updateMany({ where: { storeId: { in: ids }, ownerId: owner.id }, data: { ownerId: null } });
  return { removed: count };
}

/**
 * A page of the store directory, by name (stores without one last) then id: those whose name or id contains `q`
 * (any case), among the stores without an owner, every store, or one owner's (404 for an unknown slug).
 */
export async function searchDirectory(query: DirectoryQuery): Promise<DirectoryPage> {
  const owner =
    query.owner === "unassigned" ? { ownerId: null } : query.owner === "any" ? {} : { ownerId: (await ownerBySlug(query.owner)).id };
  const q = query.q.trim();
  const where = {
    ...owner,
    ...(q ? { OR: [{ storeId: { contains: q } }, { name: { contains: q, mode: "insensitive" as const } }] } : {}),
  };
  const [total, stores] = await prisma().$transaction([
    prisma().store.count({ where }),
    prisma().store.findMany({
      where,
      include: { owner: { select: { slug: true, name: true } } },
      orderBy: [{ name: { sort: "asc", nulls: "last" } }, { storeId: "asc" }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    }),
  ]);
  return {
    total,
    page: query.page,
    pageSize: query.pageSize,
    stores: stores.map((s) => ({ storeId: s.storeId, name: s.name, address: s.address, owner: s.owner })),
  };
}
