"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, useSyncExternalStore } from "react";
import { formatTime, viewerZone } from "@/components/home/clock";
import { PersonFields } from "@/components/admin/person-fields";
import { ShownOnce } from "@/components/admin/once";
import { submitted, useAction } from "@/components/admin/use-action";
import { Refusal } from "@/components/ui/refusal";
import { ErrorState, Loading } from "@/components/ui/states";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import type { LinkDelivery, TeamMemberView } from "@/lib/api/views/auth";

type Owner = { slug: string; name: string };

const noSubscription = () => () => {};
/** The viewer's zone once in the browser (the server has none of theirs to render). */
const useViewerZone = () => useSyncExternalStore(noSubscription, viewerZone, () => null);

/** What became of an invitation's link, in words: e-mailed, to hand over (and why the e-mail failed), or none needed. */
function DeliveryNote({ delivery, email }: { delivery: LinkDelivery; email: string }) {
  if (delivery.by === "email")
    return (
      <p className="notice" role="status">
        Invitation e-mailed to {delivery.to}: they choose their password with its link.
      </p>
    );
  if (delivery.by === "none")
    return (
      <p className="notice" role="status">
        {email} has a password already: they see these stores the next time they sign in.
      </p>
    );
  return (
    <ShownOnce
      label="Invitation link"
      value={delivery.link}
      note={
        delivery.mailError
          ? `The e-mail could not be sent (${delivery.mailError}): hand this link to ${email}. It is not shown again.`
          : `No e-mail is sent from this server: hand this link to ${email}. It is not shown again.`
      }
    />
  );
}

function MemberCard({ member, you, zone, onRemove }: { member: TeamMemberView; you: boolean; zone: string | null; onRemove: () => void }) {
  return (
    <li className="card team-card">
      <strong>
        {member.name}
        {you && <span className="muted"> (you)</span>}
      </strong>
      <span className="team-email">{member.email}</span>
      <span>
        {member.role === "manager" ? "Manager" : "Member"}
        {!member.active && <span className="muted"> · invited, no password yet</span>}
      </span>
      <span className="muted small">
        Last sign-in: {member.lastSignInAt ? (zone ? formatTime(member.lastSignInAt, zone) : "…") : "none on record"}
      </span>
      <button type="button" onClick={onRemove} aria-label={`Remove ${member.name} from the team`}>
        Remove
      </button>
    </li>
  );
}

/** An owner's team for its manager: who is on it, inviting someone, taking someone off. */
export function TeamPanel({ owners, email }: { owners: Owner[]; email: string | null }) {
  const [slug, setSlug] = useState(owners[0]!.slug);
  const owner = owners.find((o) => o.slug === slug)!;
  const zone = useViewerZone();
  const team = useQuery({ queryKey: queryKeys.team(slug), queryFn: () => api.team(slug) });
  const invite = useAction(api.inviteToTeam, queryKeys.team(slug));
  const remove = useAction(api.removeFromTeam, queryKeys.team(slug));
  const error = invite.errorMessage ?? remove.errorMessage;

  return (
    <>
      <h1>Team</h1>
      <p className="muted">
        The people who see {owner.name}&apos;s stores. As a manager you invite them, and take them off the team (their keys of {owner.name}{" "}
        are revoked with it). An admin makes managers.
      </p>
      {owners.length > 1 && (
        <label className="inline-choice">
          Owner{" "}
          <select value={slug} onChange={(e) => setSlug(e.target.value)}>
            {owners.map((o) => (
              <option key={o.slug} value={o.slug}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {invite.data && <DeliveryNote delivery={invite.data.delivery} email={invite.data.member.email} />}
      <Refusal message={error} />
      {team.isPending && <Loading what="the team" />}
      {team.isError && <ErrorState error={team.error} what="the team" />}
      {team.data && (
        <ul className="team-list" aria-label={`${owner.name}'s team`}>
          {team.data.members.map((m) => (
            <MemberCard
              key={m.id}
              member={m}
              you={m.email === email}
              zone={zone}
              onRemove={() => confirm(`Take ${m.email} off ${owner.name}'s team?`) && remove.mutate({ slug, id: m.id })}
            />
          ))}
        </ul>
      )}

      <form
        className="stack narrow"
        aria-labelledby="invite"
        onSubmit={submitted(({ email, name }, done) =>
          invite.mutate({ slug, invitation: { email: email!, name: name! } }, { onSuccess: done }),
        )}
      >
        <h2 id="invite">Invite someone</h2>
        <PersonFields />
        <button type="submit" className="button-primary" disabled={invite.isPending}>
          Invite
        </button>
      </form>
    </>
  );
}
