"use client";

import { useQuery } from "@tanstack/react-query";
import { ErrorState, Loading } from "@/components/ui/states";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import { submitted, useAction } from "./use-action";
import { Refusal } from "@/components/ui/refusal";

/** Owners (restaurant groups): their stores and members, a new owner, and stores assigned to one. */
export function OwnersPanel() {
  const owners = useQuery({ queryKey: queryKeys.owners(), queryFn: api.owners });
  const create = useAction(api.createOwner, queryKeys.owners());
  const assign = useAction(({ slug, ids }: { slug: string; ids: string[] }) => api.assignStores(slug, ids), queryKeys.owners());

  return (
    <>
      <h1>Owners</h1>
      <p className="muted">
        An owner&apos;s members see that owner&apos;s stores and no others. Stores are assigned here or by the <code>owner</code> column of
        the store directory feed (<code>stores.csv</code>); a store with no owner is seen by admins only.
      </p>
      {owners.isPending && <Loading what="the owners" />}
      {owners.isError && <ErrorState error={owners.error} what="the owners" />}
      {owners.data && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Owners, scrollable">
          <table className="data-table" aria-label="Owners">
            <thead>
              <tr>
                <th>Name</th>
                <th>Short name</th>
                <th className="num">Stores</th>
                <th className="num">Members</th>
              </tr>
            </thead>
            <tbody>
              {owners.data.owners.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    No owners yet.
                  </td>
                </tr>
              )}
              {owners.data.owners.map((o) => (
                <tr key={o.id}>
                  <td>{o.name}</td>
                  <td>
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

        <form
          className="stack"
          aria-labelledby="assign-stores"
          onSubmit={submitted(({ slug, ids }, done) =>
            assign.mutate({ slug: slug!, ids: ids!.split(/[\s,]+/).filter(Boolean) }, { onSuccess: done }),
          )}
        >
          <h2 id="assign-stores">Assign stores</h2>
          <label>
            Owner
            <select name="slug" required>
              {owners.data?.owners.map((o) => (
                <option key={o.id} value={o.slug}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Store ids (one per line, or separated by commas)
            <textarea name="ids" required />
          </label>
          <button type="submit" className="button-primary" disabled={assign.isPending || !owners.data?.owners.length}>
            Assign
          </button>
          {assign.data && (
            <p className="success-text" role="status">
              {assign.data.assigned} stores assigned.
            </p>
          )}
          <Refusal message={assign.errorMessage} />
        </form>
      </div>
    </>
  );
}
