import { prisma } from "../db/prisma";
import { apiKeys } from "../env";
import { hasAdminSession } from "./authorize";
import { accountsOrKeysExist, signedInPerson } from "./people";

/** Who is looking at a page, for what the pages show them (what they may do is `authorize`'s to decide). */
export interface Viewer {
  /** open: no account or key exists, reports are open to anyone; anonymous: not signed in. */
  kind: "open" | "anonymous" | "admin" | "member";
  name: string | null;
  email: string | null;
  /** A member's owners. */
  owners: { slug: string; name: string }[];
}

export async function viewerOf(request: Request): Promise<Viewer> {
  if (await hasAdminSession(request)) return { kind: "admin", name: "Admin", email: null, owners: [] };
  const person = await signedInPerson(request);
  if (person) {
    const owners = await prisma().owner.findMany({ where: { id: { in: person.ownerIds } }, select: { slug: true, name: true }, orderBy: { name: "asc" } });
    return { kind: person.role, name: person.name, email: person.email, owners };
  }
  const open = apiKeys().length === 0 && !(await accountsOrKeysExist());
  return { kind: open ? "open" : "anonymous", name: null, email: null, owners: [] };
}
