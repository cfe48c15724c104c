import { prisma } from "../db/prisma";
import { apiKeys } from "../env";
import type { Viewer } from "../api/views/auth";
import { hasAdminSession } from "./authorize";
import { accountsOrKeysExist, signedInPerson } from "./people";

export async function viewerOf(request: Request): Promise<Viewer> {
  if (await hasAdminSession(request)) return { kind: "admin", name: "Admin", email: null, owners: [], manages: [] };
  const person = await signedInPerson(request);
  if (person) {
    const owners = await prisma().owner.findMany({
      where: { id: { in: person.ownerIds } },
      select: { id: true, slug: true, name: true },
      orderBy: { name: "asc" },
    });
    const named = ({ slug, name }: { slug: string; name: string }) => ({ slug, name });
    const manages = owners.filter((o) => person.managerOf.includes(o.id)).map(named);
    return { kind: person.role, name: person.name, email: person.email, owners: owners.map(named), manages };
  }
  const open = apiKeys().length === 0 && !(await accountsOrKeysExist());
  return { kind: open ? "open" : "anonymous", name: null, email: null, owners: [], manages: [] };
}
