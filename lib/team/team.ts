import { prisma } from "../db/prisma";
import { AppError } from "../errors";
import { passwordLinkToken } from "../auth/accounts";
import type { Caller } from "../auth/authorize";
import { invitePerson, removePerson } from "../auth/people";
import type { LinkDelivery, MemberRole, TeamMemberView } from "../api/views/auth";
import { deliverPasswordLink } from "./link-delivery";

// An owner's team, as its managers run it: they invite people to the owner, list them and remove them. A
// manager does this for the owners they manage only; any other owner is answered 404, as one that does not
// exist. Admins may do it for every owner (their own page is /admin/people).

type Owner = { id: string; slug: string; name: string };

const ownerNotFound = (slug: string) => new AppError("owner_not_found", 404, `no owner ${slug}`);

/** The owner `slug` if the caller runs its team: an admin, or its manager; 403 for its plain members, else 404. */
export async function managedOwner(caller: Caller, slug: string): Promise<Owner> {
  const owner = await prisma().owner.findUnique({ where: { slug }, select: { id: true, slug: true, name: true } });
  if (caller.scope.all) {
    if (!owner) throw ownerNotFound(slug);
    return owner;
  }
  if (!owner || !caller.scope.ownerIds.includes(owner.id)) throw ownerNotFound(slug);
  if (!caller.person?.managerOf.includes(owner.id))
    throw new AppError("forbidden", 403, `only a manager of ${owner.name} runs its team; ${caller.actor} is a member (ask an admin)`);
  return owner;
}

/** The owner's people, managers first, then by name: their role, whether they chose a password, their last sign-in. */
export async function listTeam(owner: Owner): Promise<TeamMemberView[]> {
  const members = await prisma().ownerMember.findMany({
    where: { ownerId: owner.id },
    include: { user: { include: { sessions: { select: { createdAt: true }, orderBy: { createdAt: "desc" }, take: 1 } } } },
  });
  return members
    .map((m) => ({
      id: m.user.id,
      name: m.user.name,
      email: m.user.email,
      role: (m.role === "manager" ? "manager" : "member") as MemberRole,
      active: m.user.emailVerified,
      lastSignInAt: m.user.sessions[0]?.createdAt.toISOString() ?? null,
    }))
    .sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === "manager" ? -1 : 1));
}

/** Who the caller is, as an invitation names them. */
const inviterName = (caller: Caller) => (caller.person ? `${caller.person.name} (${caller.person.email})` : "An admin");

/**
 * Invites `email` to the owner: a new account when there is none (with an invitation link), or the owner added
 * to an existing member's (a new invitation link only while they have not chosen a password). An admin's
 * account, or someone already on the team, is refused.
 */
export async function inviteToTeam(
  request: Request,
  caller: Caller,
  owner: Owner,
  input: { email: string; name: string },
): Promise<{ member: TeamMemberView; delivery: LinkDelivery }> {
  const email = input.email.trim().toLowerCase();
  const existing = await prisma().user.findUnique({ where: { email }, include: { memberships: { where: { ownerId: owner.id } } } });
  let token: string | null;
  let userId: string;
  if (!existing) {
    const invited = await invitePerson({ email, name: input.name, role: "member", ownerId: owner.id });
    [token, userId] = [invited.token, invited.person.id];
  } else {
    if (existing.role === "admin")
      throw new AppError("person_is_admin", 409, `${email} is an admin's account: admins see every store already`);
    if (existing.memberships.length > 0) throw new AppError("person_exists", 409, `${email} is on ${owner.name}'s team already`);
    await prisma().ownerMember.create({ data: { ownerId: owner.id, userId: existing.id } });
    token = existing.emailVerified ? null : await passwordLinkToken(email, "invitation");
    userId = existing.id;
  }
  const delivery: LinkDelivery = token
    ? await deliverPasswordLink(request, { email, token, kind: "invitation", inviter: inviterName(caller), ownerName: owner.name })
    : { by: "none" };
  const member = (await listTeam(owner)).find((m) => m.id === userId)!;
  return { member, delivery };
}

/**
 * Takes someone off the owner's team: their keys of that owner are revoked, and an account left with no owner is
 * deleted (its sessions end). Never an admin's account; a manager may not leave an owner without a manager.
 */
export async function removeFromTeam(caller: Caller, owner: Owner, userId: string): Promise<void> {
  const membership = await prisma().ownerMember.findUnique({
    where: { ownerId_userId: { ownerId: owner.id, userId } },
    include: { user: { include: { _count: { select: { memberships: true } } } } },
  });
  if (!membership) throw new AppError("person_not_found", 404, `no person ${userId} on ${owner.name}'s team`);
  if (membership.user.role === "admin")
    throw new AppError("forbidden", 403, `${membership.user.email} is an admin's account: only admins remove it (People page)`);
  if (membership.role === "manager" && caller.person?.id === userId) {
    const managers = await prisma().ownerMember.count({ where: { ownerId: owner.id, role: "manager" } });
    if (managers === 1)
      throw new AppError("last_manager", 409, `you are ${owner.name}'s only manager: ask an admin to make someone else manager first`);
  }
  if (membership.user._count.memberships === 1) return removePerson(userId);
  await prisma().$transaction([
    prisma().apiKey.updateMany({
      where: { createdBy: membership.user.email, ownerId: owner.id, revokedAt: null },
      data: { revokedAt: new Date() },
    }),
    prisma().ownerMember.delete({ where: { ownerId_userId: { ownerId: owner.id, userId } } }),
  ]);
}

/** An admin makes a member of the owner its manager, or a manager a plain member again; 404 for one not on its team. */
export async function setMemberRole(owner: Owner, userId: string, role: MemberRole): Promise<TeamMemberView> {
  const changed = await prisma().ownerMember.updateMany({ where: { ownerId: owner.id, userId }, data: { role } });
  if (changed.count === 0) throw new AppError("person_not_found", 404, `no person ${userId} on ${owner.name}'s team`);
  return (await listTeam(owner)).find((m) => m.id === userId)!;
}
