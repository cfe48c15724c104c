"use client";

import { useState } from "react";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import type { DeliveryView, IncidentView } from "@/lib/api/views/alerts";
import { useAction } from "@/components/admin/use-action";
import { Refusal } from "@/components/ui/refusal";
import { formatTime } from "@/components/home/clock";
import { formatLength } from "@/components/home/words";

const KIND = { down: "Down", no_data: "No data" } as const;

/** One incident: what, from when to when (or ongoing), how long; who acknowledged it; what became of its notifications. */
export function IncidentCard({ incident: i, zone }: { incident: IncidentView; zone: string }) {
  const time = (iso: string) => formatTime(iso, zone);
  return (
    <li className={`incident-card${i.resolvedAt ? "" : " incident-open"}`}>
      <span className={`state state-${i.kind}`}>{KIND[i.kind]}</span>
      <span className="incident-when">
        {time(i.startedAt)} to {i.resolvedAt ? time(i.resolvedAt) : <strong>ongoing</strong>}
      </span>
      <span className="incident-length">
        {formatLength(i.downSeconds)}
        {i.resolvedAt ? "" : " so far"}
      </span>
      {i.acknowledgement ? (
        <p className="incident-ack small">
          Acknowledged by {i.acknowledgement.by} at {time(i.acknowledgement.at)}
          {i.acknowledgement.note && <>: &ldquo;{i.acknowledgement.note}&rdquo;</>}
        </p>
      ) : (
        !i.resolvedAt && <AcknowledgeForm id={i.id} />
      )}
      {i.deliveries.length > 0 && (
        <ul className="incident-deliveries small" aria-label="Notifications">
          {i.deliveries.map((d, n) => (
            <li key={n} className={d.state === "failing" ? "error-text" : undefined}>
              {deliveryWords(d, time)}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

/** A notification in words: "webhook of the rule "Ops" (opened): failing after 3 attempts, the last at ...: the receiver answered 500". */
export function deliveryWords(d: DeliveryView, time: (iso: string) => string): string {
  const what = `${d.channel[0]!.toUpperCase()}${d.channel.slice(1)} (${d.event})`;
  const tries = `${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`;
  if (d.state === "delivered") return `${what}: sent${d.deliveredAt ? ` at ${time(d.deliveredAt)}` : ""}.`;
  if (d.state === "skipped") return `${what}: not sent, ${d.error}.`;
  if (d.state === "waiting") return `${what}: waiting to be sent${d.error ? ` (${d.error})` : ""}.`;
  return `${what}: failing after ${tries}${d.lastAttemptAt ? `, the last at ${time(d.lastAttemptAt)}` : ""}: ${d.error}. Retried with backoff.`;
}

function AcknowledgeForm({ id }: { id: string }) {
  const acknowledge = useAction(api.acknowledge, queryKeys.allAlerts());
  const [note, setNote] = useState("");
  return (
    <form
      className="incident-ack-form"
      onSubmit={(e) => {
        e.preventDefault();
        acknowledge.mutate({ id, note: note.trim() || undefined });
      }}
    >
      <label>
        <span className="visually-hidden">Note (optional)</span>
        <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={280} placeholder="Note (optional)" />
      </label>
      <button type="submit" disabled={acknowledge.isPending}>
        Acknowledge
      </button>
      <Refusal message={acknowledge.errorMessage} />
    </form>
  );
}
