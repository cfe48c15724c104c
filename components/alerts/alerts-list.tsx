"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import type { IncidentView } from "@/lib/api/views/alerts";
import { ErrorState, Loading } from "@/components/ui/states";
import { formatInstant } from "@/components/ui/format";

const REFRESH_MS = 30_000;

const length = (seconds: number) =>
  seconds >= 3600 ? `${Math.floor(seconds / 3600)} h ${Math.floor(seconds / 60) % 60} min` : `${Math.max(1, Math.round(seconds / 60))} min`;

/** Incidents: a store down within its business hours for at least the rule's time. Open ones first. */
export function AlertsList({ storeId, compact = false }: { storeId?: string; compact?: boolean }) {
  const incidents = useQuery({ queryKey: queryKeys.alerts(storeId), queryFn: () => api.alerts(storeId), refetchInterval: REFRESH_MS });
  if (incidents.isPending) return <Loading what="the incidents" />;
  if (incidents.isError) return <ErrorState error={incidents.error} what="the incidents" />;
  const list = incidents.data.incidents;
  if (list.length === 0) return <p className="muted">No incidents{storeId ? " for this store" : ""}.</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Incidents, scrollable">
      <table className="data-table" aria-label="Incidents">
        <thead>
          <tr>
            {!compact && <th scope="col">Store</th>}
            <th scope="col">What</th>
            <th scope="col">State</th>
            <th scope="col">Since</th>
            <th scope="col">Resolved</th>
            <th scope="col" className="num">
              For
            </th>
            <th scope="col">Notified</th>
          </tr>
        </thead>
        <tbody>
          {list.map((i: IncidentView) => (
            <tr key={i.id}>
              {!compact && (
                <td>
                  <Link href={`/stores/${encodeURIComponent(i.storeId)}`}>{i.name ?? i.storeId}</Link>
                  {i.name && <span className="store-id">{i.storeId}</span>}
                </td>
              )}
              <td>{i.kind === "down" ? "down" : "no data"}</td>
              <td>
                {i.resolvedAt ? <span className="badge badge-complete">resolved</span> : <span className="badge badge-failed">open</span>}
              </td>
              <td>{formatInstant(i.startedAt)}</td>
              <td>{formatInstant(i.resolvedAt)}</td>
              <td className="num">{length(i.downSeconds)}</td>
              <td>
                {i.delivered + i.pending === 0 ? "—" : `${i.delivered} sent`}
                {i.pending > 0 && (
                  <span className="error-text">
                    {" "}
                    {i.pending} waiting{i.lastError ? `: ${i.lastError}` : ""}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
