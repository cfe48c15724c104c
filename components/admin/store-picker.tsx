"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ErrorState, Loading } from "@/components/ui/states";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import type { DirectoryPage } from "@/lib/api/views/owners";

const PAGE_SIZE = 20;

/**
 * The store directory searched on the server by name or id, a page at a time, with a box per store to pick it:
 * the stores of `owner` ("unassigned", "any" or an owner's slug). The picked ids are kept across pages and
 * searches, and handed to `action` (which clears them once done).
 */
export function StorePicker({
  owner,
  label,
  action,
}: {
  owner: string;
  /** The list's name, for screen readers: "Stores without an owner". */
  label: string;
  action: (picked: string[], clear: () => void) => React.ReactNode;
}) {
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(typed.trim());
      setPage(1);
    }, 250);
    return () => clearTimeout(timer);
  }, [typed]);
  const query = { q, owner, page, pageSize: PAGE_SIZE };
  const found = useQuery({
    queryKey: queryKeys.storeDirectory(query),
    queryFn: () => api.storeDirectory(query),
    placeholderData: keepPreviousData,
  });
  const toggle = (id: string, on: boolean) =>
    setPicked((now) => {
      const next = new Set(now);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const pages = found.data ? Math.max(1, Math.ceil(found.data.total / PAGE_SIZE)) : 1;
  const onPage = found.data?.stores.map((s) => s.storeId) ?? [];
  const allPicked = onPage.length > 0 && onPage.every((id) => picked.has(id));

  return (
    <div className="stack picker">
      <label>
        Find stores by name or id
        <input type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="name or part of an id" />
      </label>
      {found.isPending && <Loading what="the stores" />}
      {found.isError && <ErrorState error={found.error} what="the stores" />}
      {found.data && (
        <>
          <div className="section-head">
            <span className="muted" aria-live="polite">
              {found.data.total.toLocaleString("en-US")} {found.data.total === 1 ? "store" : "stores"}
              {q && ` matching “${q}”`} · {picked.size} picked
            </span>
            <button type="button" disabled={onPage.length === 0} onClick={() => onPage.forEach((id) => toggle(id, !allPicked))}>
              {allPicked ? "Unpick this page" : "Pick this page"}
            </button>
          </div>
          <StoreChecklist
            stores={found.data.stores}
            picked={picked}
            toggle={toggle}
            label={label}
            empty={q ? `No store matches “${q}”.` : "No stores here."}
          />
          {pages > 1 && (
            <nav className="pager" aria-label={`${label}: pages`}>
              <button type="button" onClick={() => setPage(page - 1)} disabled={page <= 1}>
                Previous page
              </button>
              <span>
                Page {page} of {pages}
              </span>
              <button type="button" onClick={() => setPage(page + 1)} disabled={page >= pages}>
                Next page
              </button>
            </nav>
          )}
        </>
      )}
      {action([...picked], () => setPicked(new Set()))}
    </div>
  );
}

function StoreChecklist({
  stores,
  picked,
  toggle,
  label,
  empty,
}: {
  stores: DirectoryPage["stores"];
  picked: ReadonlySet<string>;
  toggle: (id: string, on: boolean) => void;
  label: string;
  empty: string;
}) {
  if (stores.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="checklist" aria-label={label}>
      {stores.map((s) => (
        <li key={s.storeId}>
          <label>
            <input type="checkbox" checked={picked.has(s.storeId)} onChange={(e) => toggle(s.storeId, e.target.checked)} />
            <span>
              <span className="checklist-name">{s.name ?? "(no name)"}</span> <span className="store-id">{s.storeId}</span>
              {(s.address || s.owner) && (
                <span className="checklist-note">{[s.address, s.owner && `owner: ${s.owner.name}`].filter(Boolean).join(" · ")}</span>
              )}
            </span>
          </label>
        </li>
      ))}
    </ul>
  );
}
