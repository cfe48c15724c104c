import { z } from "zod";

// The owners' shape in the API.

export const ownerView = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    stores: z.number().int(),
    members: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: "Owner" });
export type OwnerView = z.infer<typeof ownerView>;

/** GET /api/admin/stores: a search of the store directory, a page at a time. */
export const directoryQuery = z.object({
  q: z.string().max(200).default("").meta({ description: "Part of a store's name or id" }),
  owner: z
    .string()
    .max(40)
    .default("unassigned")
    .meta({ description: "unassigned (the default): stores without an owner; any: every store; else an owner's slug: its stores" }),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type DirectoryQuery = z.infer<typeof directoryQuery>;

export const directoryStoreView = z
  .object({
    storeId: z.string(),
    name: z.string().nullable(),
    address: z.string().nullable(),
    owner: z.object({ slug: z.string(), name: z.string() }).nullable(),
  })
  .meta({ id: "DirectoryStore" });

export const directoryPage = z
  .object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), stores: z.array(directoryStoreView) })
  .meta({ id: "DirectoryPage" });
export type DirectoryPage = z.infer<typeof directoryPage>;

/** The ids of stores an owner is given, or loses. */
export const storeIdsBody = z.object({ storeIds: z.array(z.string()).min(1).max(10_000) });
