"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import type { IncidentView, MuteView } from "@/lib/api/views/alerts";
import { ErrorState, Loading } from "@/components/ui/states";
import { ClockSetting, useClockChoice, zoneFor } from "@/components/home/clock";
import { IncidentCard } from "./incident-card";
import { MuteControl, MuteLine } from "./mute-control";

const REFRESH_MS = 30_000;

/** Incidents by store, in the order the server gives them (open ones first, then the newest): a store's group where its first comes. */
function byStore(incidents: readonly IncidentView[]): IncidentView[][] {
  const groups = new Map<string, IncidentView[]>();
  for (const i of incidents) groups.set(i.storeId, [...(groups.get(i.storeId) ?? []), i]);
  return [...groups.values()];
}

/**
 * Incidents, a timeline per store: each store's name (and mute), then its incidents, open ones first, then the newest.
 * With `storeId`, that store's alone, with its mute control. Times on the chosen clock, labelled with their zone.
 */
export function AlertsList({ storeId, timeZone }: { storeId?: string; timeZone?: string }) {
  const alerts = useQuery({ queryKey: queryKeys.alerts(storeId), queryFn: () => api.alerts(storeId), refetchInterval: REFRESH_MS });
  const [clock, setClock] = useClockChoice();
  if (alerts.isPending) return <Loading what="the incidents" />;
  if (alerts.isError) return <ErrorState error={alerts.error} what="the incidents" />;
  const { incidents, mutes } = alerts.data;
  const muteOf = new Map<string, MuteView>(mutes.map((m) => [m.storeId, m]));
  const setting = <ClockSetting choice={clock} onChoose={setClock} />;
  if (storeId) {
    const zone = zoneFor(clock, timeZone ?? incidents[0]?.timeZone ?? muteOf.get(storeId)?.timeZone ?? "UTC");
    return (
      <>
        <MuteControl storeId={storeId} mute={muteOf.get(storeId)} zone={zone} />
        {incidents.length === 0 ? <p className="muted">No incidents for this store.</p> : <Timeline incidents={incidents} zone={zone} />}
        {setting}
      </>
    );
  }
  const groups = byStore(incidents);
  // Stores muted without an incident listed are said too: who muted them, and until when.
  const mutedOnly = mutes.filter((m) => !groups.some((g) => g[0]!.storeId === m.storeId));
  return (
    <>
      {setting}
      {groups.length === 0 && <p className="muted">No incidents.</p>}
      {groups.map((group) => {
        const first = group[0]!;
        const zone = zoneFor(clock, first.timeZone);
        const mute = muteOf.get(first.storeId);
        return (
          <section key={first.storeId} className="incident-store" aria-label={`Incidents of ${first.name ?? first.storeId}`}>
            <h3 className="incident-store-name">
              <Link href={`/stores/${encodeURIComponent(first.storeId)}`}>{first.name ?? first.storeId}</Link>
              {first.name && <span className="store-id">{first.storeId}</span>}
            </h3>
            {mute && <MuteLine mute={mute} zone={zone} />}
            <Timeline incidents={group} zone={zone} />
          </section>
        );
      })}
      {mutedOnly.map((m) => (
        <section key={m.storeId} className="incident-store" aria-label={`Mute of ${m.name ?? m.storeId}`}>
          <h3 className="incident-store-name">
            <Link href={`/stores/${encodeURIComponent(m.storeId)}`}>{m.name ?? m.storeId}</Link>
          </h3>
          <MuteLine mute={m} zone={zoneFor(clock, m.timeZone)} />
        </section>
      ))}
    </>
  );
}

function Timeline({ incidents, zone }: { incidents: readonly IncidentView[]; zone: string }) {
  return (
    <ol className="incident-timeline" aria-label="Incidents, open ones first, then the newest">
      {incidents.map((i) => (
        <IncidentCard key={i.id} incident={i} zone={zone} />
      ))}
    </ol>
  );
}
