"use client";

import { useQuery } from "@tanstack/react-query";
import { ErrorState, Loading } from "@/components/ui/states";
import { formatInstant } from "@/components/ui/format";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import { ShownOnce } from "./once";
import { SignOutButton } from "./sign-out";
import { submitted, useAction } from "./use-action";
import { Refusal } from "@/components/ui/refusal";
import { ListTable } from "@/components/ui/list-table";
import { OwnerChoice } from "./owner-choice";

/**
 * Service keys: an admin makes reports keys (of one owner, or of every store) and ingest keys; an owner's
 * member makes reports keys of their own owners. A key is shown once; revoking it refuses it at once.
 */
export function KeysPanel({ admin, owners }: { admin: boolean; owners: { slug: string; name: string }[] }) {
  const keys = useQuery({ queryKey: queryKeys.keys(), queryFn: api.keys });
  const make = useAction(api.makeKey, queryKeys.keys());
  const revoke = useAction(api.revokeKey, queryKeys.keys());

  return (
    <>
      <div className="section-head">
        <h1>Keys</h1>
        <div className="actions">
          <SignOutButton everywhere />
        </div>
      </div>
      <p className="muted">
        Services call the report API with <code>Authorization: Bearer &lt;key&gt;</code>. A reports key of an owner sees that owner&apos;s
        stores only.
      </p>
      {make.data && <ShownOnce label={`Key "${make.data.view.name}"`} value={make.data.key} note="Copy it now: it is not shown again." />}
      <Refusal message={make.errorMessage ?? revoke.errorMessage} />
      {keys.isPending && <Loading what="the keys" />}
      {keys.isError && <ErrorState error={keys.error} what="the keys" />}
      {keys.data && (
        <ListTable
          label="Keys"
          columns={["Name", "Scope", "Stores", "Key", "Made by", "Last used", ""]}
          empty={keys.data.keys.length === 0 && "No keys yet."}
        >
          {keys.data.keys.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>{k.scope}</td>
              <td>{k.owner?.name ?? "all"}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{k.createdBy}</td>
              <td>{formatInstant(k.lastUsedAt)}</td>
              <td>
                {k.revokedAt ? (
                  <span className="muted">revoked {formatInstant(k.revokedAt)}</span>
                ) : (
                  <button type="button" onClick={() => revoke.mutate(k.id)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </ListTable>
      )}

      <form
        className="stack narrow"
        aria-labelledby="new-key"
        onSubmit={submitted(({ name, scope, owner }, done) =>
          make.mutate(
            { name: name!, scope: (scope ?? "reports") as "reports" | "ingest", ...(owner ? { owner } : {}) },
            { onSuccess: done },
          ),
        )}
      >
        <h2 id="new-key">New key</h2>
        <label>
          Name (what uses it)
          <input name="name" required maxLength={100} placeholder="point-of-sale sync" />
        </label>
        {admin && (
          <label>
            Scope
            <select name="scope" defaultValue="reports">
              <option value="reports">reports: read and trigger reports</option>
              <option value="ingest">ingest: push polls</option>
            </select>
          </label>
        )}
        <OwnerChoice admin={admin} owners={owners} />
        <button type="submit" className="button-primary" disabled={make.isPending}>
          Make key
        </button>
      </form>
    </>
  );
}
