"use client";

import { useState } from "react";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import type { MuteView } from "@/lib/api/views/alerts";
import { useAction } from "@/components/admin/use-action";
import { Refusal } from "@/components/ui/refusal";
import { formatTime, viewerZone } from "@/components/home/clock";

/** "Muted by ana@x (at ...) until ...": a mute in words, on the chosen clock. */
export function MuteLine({ mute, zone }: { mute: MuteView; zone: string }) {
  return (
    <p className="notice notice-quiet mute-line" role="note">
      <strong>Muted until {formatTime(mute.until, zone)}</strong> by {mute.by} (at {formatTime(mute.at, zone)}): incidents are still
      recorded; nobody is notified.
    </p>
  );
}

/** A store's mute: shown with the way to end it, or the ways to start one (1 h, 4 h, until tomorrow's opening, until a chosen time). */
export function MuteControl({ storeId, mute, zone }: { storeId: string; mute: MuteView | undefined; zone: string }) {
  const start = useAction(api.muteStore, queryKeys.allAlerts());
  const end = useAction(api.unmuteStore, queryKeys.allAlerts());
  const [until, setUntil] = useState("");
  if (mute)
    return (
      <div className="mute-control">
        <MuteLine mute={mute} zone={zone} />
        <button type="button" onClick={() => end.mutate(storeId)} disabled={end.isPending}>
          Unmute
        </button>
        <Refusal message={end.errorMessage} />
      </div>
    );
  const muteFor = (what: "1h" | "4h" | "next_opening") => start.mutate({ storeId, mute: { for: what } });
  return (
    <div className="mute-control">
      <div className="actions" role="group" aria-label="Mute notifications for this store">
        <span className="muted small">Mute notifications:</span>
        <button type="button" onClick={() => muteFor("1h")} disabled={start.isPending}>
          1 hour
        </button>
        <button type="button" onClick={() => muteFor("4h")} disabled={start.isPending}>
          4 hours
        </button>
        <button type="button" onClick={() => muteFor("next_opening")} disabled={start.isPending}>
          Until tomorrow&apos;s opening
        </button>
      </div>
      <form
        className="actions mute-until"
        onSubmit={(e) => {
          e.preventDefault();
          // A datetime-local value is a wall time in the viewer's zone: as an instant, sent in UTC.
          if (until) start.mutate({ storeId, mute: { until: new Date(until).toISOString() } });
        }}
      >
        <label>
          Until <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} required /> ({viewerZone()}, at most
          30 days)
        </label>
        <button type="submit" disabled={start.isPending}>
          Mute
        </button>
      </form>
      <Refusal message={start.errorMessage} />
    </div>
  );
}
