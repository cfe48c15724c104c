// GET /api/admin/people - everyone with an account; POST {"email", "name", "role", "owner"} - invites someone:
// makes their account and answers the link with which they choose their password (shown to the admin once)
import { z } from "zod";
import { json, parseBody, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { passwordLink } from "@/lib/auth/password-link";
import { invitePerson, listPeople } from "@/lib/auth/people";
import { ownerBySlug } from "@/lib/owners/owners";

export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  await authorize(request, "admin");
  return json({ people: await listPeople() });
});

const invitation = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  role: z.enum(["admin", "member"]),
  owner: z.string().max(40).optional(),
});

export const POST = route(async (request) => {
  await authorize(request, "admin");
  const body = await parseBody(request, invitation);
  const ownerId = body.owner ? (await ownerBySlug(body.owner)).id : null;
  const { person, token } = await invitePerson({ ...body, ownerId });
  return json({ person, link: passwordLink(request, token) }, 201);
});
