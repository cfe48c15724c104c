"use client";

import { useMutation } from "@tanstack/react-query";
import { api } from "@/lib/api/client";
import { ErrorState } from "@/components/ui/states";

/** Sends a sample notification to every channel, and says what each answered. */
export function TestAlertButton() {
  const test = useMutation({ mutationFn: () => api.send<{ results: { channel: string; ok: boolean; error: string | null }[] }>("POST", "/api/alerts/test") });
  return (
    <div className="stack">
      <p>
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          Send a test alert
        </button>
      </p>
      {test.data && (
        <ul role="status">
          {test.data.results.length === 0 && <li>No channel is configured (set ALERT_WEBHOOK_URL).</li>}
          {test.data.results.map((r) => (
            <li key={r.channel}>
              {r.channel}: {r.ok ? "delivered" : <span className="error-text">{r.error}</span>}
            </li>
          ))}
        </ul>
      )}
      {test.isError && <ErrorState error={test.error} what="the test alert" />}
    </div>
  );
}
