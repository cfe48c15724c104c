import { z } from "zod";
import { prisma } from "../db/prisma";
import { apiKeys } from "../env";
import { hasAdminSession } from "./authorize";
import { accountsOrKeysExist, signedInPerson } from "./people";

/** Who is looking at a page, for what the pages show them (what they may do is `authorize`'s to decide). */
export const viewerSchema = z
  .object({
    kind: z
      .enum(["open", "anonymous", "admin", "member"])
      .meta({ description: "open: no account or key exists, reports are open to anyone; anonymous: not signed in" }),
    name: z.string().nullable(),
    email: z.string().nullable(),
    owners: z.array(z.object({ slug: z.string(), name: z.string() })).meta({ description: "A member's owners" }),
  })
  .meta({ id: "Viewer" });
export type Viewer = z.infer<typeof viewerSchema>;

export async function viewerOf(request: Request): Promise<Viewer> {
  if (await hasAdminSession(request)) return { kind: "admin", name: "Admin", email: null, owners: [] };
  const person = await signedInPerson(request);
  if (person) {
    const owners = await prisma().owner.findMany({
      where: { id: { in: person.ownerIds } },
      select: { slug: true, name: true },
      orderBy: { name: "asc" },
    });
    return { kind: person.role, name: person.name, email: person.email, owners };
  }
  const open = apiKeys().length === 0 && !(await accountsOrKeysExist());
  return { kind: open ? "open" : "anonymous", name: null, email: null, owners: [] };
}
