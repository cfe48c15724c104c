"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorState, Loading } from "@/components/ui/states";
import { formatInstant } from "@/components/ui/format";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import { PersonFields } from "./person-fields";
import { ShownOnce } from "./once";
import { submitted, useAction } from "./use-action";
import { Refusal } from "@/components/ui/refusal";
import { ListTable } from "@/components/ui/list-table";

/** Everyone with an account; inviting someone; a new password link; removing an account. */
export function PeoplePanel() {
  const people = useQuery({ queryKey: queryKeys.people(), queryFn: api.people });
  const owners = useQuery({ queryKey: queryKeys.owners(), queryFn: api.owners });
  const invite = useAction(api.invite, queryKeys.people());
  const reset = useAction(api.passwordLink, queryKeys.people());
  const remove = useAction(api.removePerson, queryKeys.people());
  const setRole = useAction(api.setMemberRole, queryKeys.people());
  const [role, chooseRole] = useState<"member" | "admin">("member");
  const delivery = (invite.data ?? reset.data)?.delivery;
  const error = invite.errorMessage ?? reset.errorMessage ?? remove.errorMessage ?? setRole.errorMessage;

  return (
    <>
      <h1>People</h1>
      <p className="muted">
        Admins see every store and manage feeds, owners and people. An owner&apos;s member sees that owner&apos;s stores: reports, store
        pages, downloads, alert rules and keys of that owner; its manager also invites and removes the owner&apos;s people (Team page).
        Invited people choose their password with the link e-mailed to them, or given here when the server sends no e-mail (it works once:
        an invitation for 72 hours, a new link for one hour; each new link ends the older ones).
      </p>
      {delivery?.by === "email" && (
        <p className="notice" role="status">
          Password link e-mailed to {delivery.to}.
        </p>
      )}
      {delivery?.by === "link" && (
        <ShownOnce
          label="Password link"
          value={delivery.link}
          note={`${delivery.mailError ? `The e-mail could not be sent (${delivery.mailError}). ` : ""}Send it to them; it is not shown again.`}
        />
      )}
      <Refusal message={error} />
      {people.isPending && <Loading what="the people" />}
      {people.isError && <ErrorState error={people.error} what="the people" />}
      {people.data && (
        <ListTable
          label="People"
          columns={["Name", "E-mail", "Role", "Owner", "Since", ""]}
          empty={people.data.people.length === 0 && "Nobody yet: invite the first person below."}
        >
          {people.data.people.map((p) => (
            <tr key={p.id}>
              <td>
                {p.name} {!p.active && <span className="muted">(invited)</span>}
              </td>
              <td>{p.email}</td>
              <td>{p.role === "admin" ? "admin" : "member"}</td>
              <td>
                {p.owners.length === 0 && "—"}
                {p.owners.map((o) => (
                  <span key={o.id} className="owner-role">
                    {o.name}
                    {o.role === "manager" && " (manager)"}{" "}
                    {p.role !== "admin" && (
                      <button
                        type="button"
                        onClick={() => setRole.mutate({ slug: o.slug, id: p.id, role: o.role === "manager" ? "member" : "manager" })}
                      >
                        {o.role === "manager" ? "Unmake manager" : "Make manager"}
                      </button>
                    )}
                  </span>
                ))}
              </td>
              <td>{formatInstant(p.createdAt)}</td>
              <td className="actions">
                <button type="button" onClick={() => reset.mutate(p.id)}>
                  New password link
                </button>
                <button type="button" onClick={() => confirm(`Remove ${p.email}? Their sessions end at once.`) && remove.mutate(p.id)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </ListTable>
      )}

      <form
        className="stack narrow"
        aria-labelledby="invite"
        onSubmit={submitted(({ email, name, owner }, done) =>
          invite.mutate({ email: email!, name: name!, role, ...(role === "member" ? { owner } : {}) }, { onSuccess: done }),
        )}
      >
        <h2 id="invite">Invite someone</h2>
        <PersonFields />
        <label>
          Role
          <select name="role" value={role} onChange={(e) => chooseRole(e.target.value as "member" | "admin")}>
            <option value="member">Owner&apos;s member: sees that owner&apos;s stores</option>
            <option value="admin">Admin: everything</option>
          </select>
        </label>
        {role === "member" && (
          <label>
            Owner
            <select name="owner" required>
              {owners.data?.owners.map((o) => (
                <option key={o.id} value={o.slug}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="submit" className="button-primary" disabled={invite.isPending || (role === "member" && !owners.data?.owners.length)}>
          Invite
        </button>
        {role === "member" && owners.data?.owners.length === 0 && <p className="muted">Add an owner first (Owners page).</p>}
      </form>
    </>
  );
}
