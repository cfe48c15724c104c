// GET /api/admin/people - everyone with an account; POST {"email", "name", "role", "owner"} - invites someone:
// makes their account and answers the link with which they choose their password (shown to the admin once)
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { passwordLink } from "@/lib/auth/password-link";
import { invitePerson, listPeople } from "@/lib/auth/people";
import { ownerBySlug } from "@/lib/owners/owners";

export const dynamic = "force-dynamic";

export const GET = route(operations.listPeople, async () => json({ people: await listPeople() }));

export const POST = route(operations.invitePerson, async (request, { body }) => {
  const ownerId = body.owner ? (await ownerBySlug(body.owner)).id : null;
  const { person, token } = await invitePerson({ ...body, ownerId });
  return json({ person, link: passwordLink(request, token) }, 201);
});
