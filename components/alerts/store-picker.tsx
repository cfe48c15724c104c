"use client";

import { useEffect, useId, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";

/** Matches shown at once: type more to narrow them. */
const SHOWN = 8;

/**
 * The stores a rule lists, picked by name or id among the caller's stores, several at once, shown by name. The form
 * sends their ids (field `name`, spaces between), as the API takes them; ids not known here are kept as they were.
 */
export function StorePicker({ name, initial }: { name: string; initial: readonly string[] }) {
  const stores = useQuery({ queryKey: queryKeys.fleetPeriods(), queryFn: api.fleetPeriods });
  const [chosen, setChosen] = useState<string[]>([...initial]);
  const [search, setSearch] = useState("");
  const id = useId();
  // The form emptied once its rule is saved: the picker too.
  const hidden = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const form = hidden.current?.form;
    const clear = () => (setChosen([]), setSearch(""));
    form?.addEventListener("reset", clear);
    return () => form?.removeEventListener("reset", clear);
  }, []);
  const nameOf = new Map((stores.data?.stores ?? []).map((s) => [s.storeId, s.name ?? s.storeId]));
  const wanted = search.trim().toLowerCase();
  const matches = wanted
    ? (stores.data?.stores ?? [])
        .filter((s) => !chosen.includes(s.storeId) && `${s.name ?? ""} ${s.storeId}`.toLowerCase().includes(wanted))
        .slice(0, SHOWN)
    : [];
  return (
    <fieldset className="store-picker">
      <legend>Only these stores (optional; none: all of the owner&apos;s)</legend>
      <input ref={hidden} type="hidden" name={name} value={chosen.join(" ")} />
      {chosen.length > 0 && (
        <ul className="store-chips" aria-label="Stores chosen">
          {chosen.map((storeId) => (
            <li key={storeId}>
              {nameOf.get(storeId) ?? storeId}
              <button
                type="button"
                aria-label={`Remove ${nameOf.get(storeId) ?? storeId}`}
                onClick={() => setChosen(chosen.filter((c) => c !== storeId))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <label htmlFor={id}>Find a store by name or id</label>
      <input id={id} type="search" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
      {wanted && (
        <ul className="store-matches" aria-label="Matching stores">
          {matches.length === 0 && <li className="muted small">No store of yours matches.</li>}
          {matches.map((s) => (
            <li key={s.storeId}>
              <button type="button" onClick={() => setChosen([...chosen, s.storeId])}>
                Add {s.name ?? s.storeId}
              </button>
              {s.name && <span className="store-id">{s.storeId}</span>}
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
