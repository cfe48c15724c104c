// GET /api/team/<slug>/members - the owner's people, for its managers; POST {"email", "name"} - invites someone to
// the owner's team (their link e-mailed when SMTP_URL is set, else answered to pass on)
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { inviteToTeam, listTeam, managedOwner } from "@/lib/team/team";

export const dynamic = "force-dynamic";

export const GET = route(operations.listTeam, async (_request, { caller, params }) =>
  json({ members: await listTeam(await managedOwner(caller, params.slug)) }),
);

export const POST = route(operations.inviteToTeam, async (request, { caller, params, body }) =>
  json(await inviteToTeam(request, caller, await managedOwner(caller, params.slug), body), 201),
);
