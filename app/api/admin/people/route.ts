// GET /api/admin/people - everyone with an account; POST {"email", "name", "role", "owner"} - invites someone:
// makes their account and e-mails them the link with which they choose their password (SMTP_URL set), or answers
// it to the admin, shown once
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { invitePerson, listPeople } from "@/lib/auth/people";
import { ownerBySlug } from "@/lib/owners/owners";
import { deliveredLink } from "@/lib/team/link-delivery";

export const dynamic = "force-dynamic";

export const GET = route(operations.listPeople, async () => json({ people: await listPeople() }));

export const POST = route(operations.invitePerson, async (request, { body }) => {
  const owner = body.owner ? await ownerBySlug(body.owner) : null;
  const { person, token } = await invitePerson({ ...body, ownerId: owner?.id ?? null });
  const link = await deliveredLink(request, {
    email: person.email,
    token,
    kind: "invitation",
    inviter: "An admin",
    ownerName: owner?.name,
  });
  return json({ person, ...link }, 201);
});
