"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";

/**
 * "Stores": whose stores something covers (a key, an alert rule), as a select named `owner` of owner slugs. An
 * admin may also choose every store (the empty value) and sees every owner; a member chooses among their own.
 */
export function OwnerChoice({
  admin,
  owners,
  defaultValue,
}: {
  admin: boolean;
  owners: { slug: string; name: string }[];
  defaultValue?: string;
}) {
  const allOwners = useQuery({ queryKey: queryKeys.owners(), queryFn: api.owners, enabled: admin });
  const choices = admin ? (allOwners.data?.owners ?? []) : owners;
  return (
    <label>
      Stores
      <select name="owner" required={!admin} defaultValue={defaultValue}>
        {admin && <option value="">every store</option>}
        {choices.map((o) => (
          <option key={o.slug} value={o.slug}>
            {o.name}&apos;s stores
          </option>
        ))}
      </select>
    </label>
  );
}
