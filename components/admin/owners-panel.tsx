"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorState, Loading } from "@/components/ui/states";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import { submitted, useAction } from "./use-action";
import { Refusal } from "@/components/ui/refusal";
import { StorePicker } from "./store-picker";

/** Owners (restaurant groups): their stores and members, a new owner, and an owner's stores: found, assigned and removed. */
export function OwnersPanel() {
  const owners = useQuery({ queryKey: queryKeys.owners(), queryFn: api.owners });
  const create = useAction(api.createOwner, queryKeys.owners());
  // Assigning or removing stores changes the owners' counts and the picker's lists: every admin query is fetched again.
  const assign = useAction(({ slug, ids }: { slug: string; ids: string[] }) => api.assignStores(slug, ids), queryKeys.admin());
  const remove = useAction(({ slug, ids }: { slug: string; ids: string[] }) => api.removeStores(slug, ids), queryKeys.admin());
  const [chosen, setChosen] = useState<string | null>(null);
  const [takeFromOthers, setTakeFromOthers] = useState(false);
  const owner = owners.data?.owners.find((o) => o.slug === chosen) ?? owners.data?.owners[0];

  return (
    <>
      <h1>Owners</h1>
      <p className="muted">
        An owner&apos;s members see that owner&apos;s stores and no others. Stores are assigned below, or by the <code>owner</code> column
        of the store directory feed (<code>stores.csv</code>); a store with no owner is seen by admins only.
      </p>
      {owners.isPending && <Loading what="the owners" />}
      {owners.isError && <ErrorState error={owners.error} what="the owners" />}
      {owners.data && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Owners, scrollable">
          <table className="data-table" aria-label="Owners">
            <thead>
              <tr>
                <th>Owner</th>
                <th className="num">Stores</th>
                <th className="num">Members</th>
              </tr>
            </thead>
            <tbody>
              {owners.data.owners.length === 0 && (
                <tr>
                  <td colSpan={3} className="muted">
                    No owners yet.
                  </td>
                </tr>
              )}
              {owners.data.owners.map((o) => (
                <tr key={o.id}>
                  <td className="wrap">
                    {o.name}
                    <br />
                    <code>{o.slug}</code>
                  </td>
                  <td className="num">{o.stores}</td>
                  <td className="num">{o.members}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <div className="admin-grid">
        <form
          className="stack"
          aria-labelledby="new-owner"
          onSubmit={submitted(({ name, slug }, done) => create.mutate({ name: name!, slug: slug! }, { onSuccess: done }))}
        >
          <h2 id="new-owner">New owner</h2>
          <label>
            Name
            <input name="name" required maxLength={200} placeholder="Burger Hut Group" />
          </label>
          <label>
            Short name (letters, digits, dashes)
            <input name="slug" required maxLength={40} pattern="[a-z0-9](?:[a-z0-9\-]{0,38}[a-z0-9])?" placeholder="burger-hut" />
          </label>
          <button type="submit" className="button-primary" disabled={create.isPending}>
            Add owner
          </button>
          <Refusal message={create.errorMessage} />
        </form>
      </div>

      {owners.data && !owner && <p className="muted">Add an owner, then find its stores here and assign them to it.</p>}
      {owner && (
        <section aria-labelledby="owner-stores" className="stack">
          <h2 id="owner-stores">Stores of an owner</h2>
          <label className="owner-choice">
            Owner
            <select value={owner.slug} onChange={(e) => setChosen(e.target.value)}>
              {owners.data?.owners.map((o) => (
                <option key={o.id} value={o.slug}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
          <div className="admin-grid">
            <section aria-labelledby="assign-stores" className="stack">
              <h3 id="assign-stores">Assign stores to {owner.name}</h3>
              <label className="check">
                <input type="checkbox" checked={takeFromOthers} onChange={(e) => setTakeFromOthers(e.target.checked)} />
                Include stores another owner has
              </label>
              <StorePicker
                key={`assign-${takeFromOthers}`}
                owner={takeFromOthers ? "any" : "unassigned"}
                label={takeFromOthers ? "Stores" : "Stores without an owner"}
                action={(picked, clear) => (
                  <PickedAction
                    primary
                    label={`Assign ${count(picked.length)} to ${owner.name}`}
                    disabled={assign.isPending || picked.length === 0}
                    run={() => assign.mutate({ slug: owner.slug, ids: picked }, { onSuccess: clear })}
                    done={assign.data && `${count(assign.data.assigned)} assigned.`}
                    error={assign.errorMessage}
                  />
                )}
              />
            </section>
            <section aria-labelledby="owned-stores" className="stack">
              <h3 id="owned-stores">{owner.name}&apos;s stores</h3>
              <StorePicker
                key={`owned-${owner.slug}`}
                owner={owner.slug}
                label={`${owner.name}'s stores`}
                action={(picked, clear) => (
                  <PickedAction
                    label={`Remove ${count(picked.length)} from ${owner.name}`}
                    disabled={remove.isPending || picked.length === 0}
                    run={() => remove.mutate({ slug: owner.slug, ids: picked }, { onSuccess: clear })}
                    done={remove.data && `${count(remove.data.removed)} removed.`}
                    error={remove.errorMessage}
                  />
                )}
              />
            </section>
          </div>
        </section>
      )}
    </>
  );
}

const count = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "store" : "stores"}`;

/** What the picked stores are for: a button, what it did, or why the server refused it. */
function PickedAction(props: {
  label: string;
  primary?: boolean;
  disabled: boolean;
  run: () => void;
  done?: string;
  error: string | null;
}) {
  return (
    <>
      <button type="button" className={props.primary ? "button-primary" : undefined} disabled={props.disabled} onClick={props.run}>
        {props.label}
      </button>
      {props.done && (
        <p className="success-text" role="status">
          {props.done}
        </p>
      )}
      <Refusal message={props.error} />
    </>
  );
}
