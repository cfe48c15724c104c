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
