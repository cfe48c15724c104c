import crypto from "node:crypto";
import { formatInTimeZone } from "date-fns-tz";
import { pool } from "../db/pool";
import { DEFAULT_TIME_ZONE } from "../uptime";
import { channelNamed, channels, type Channel } from "./channels";

/** The headers a receiver checks: the signature is HMAC-SHA256 over `<timestamp>.<body>` with the shared secret. */
export const SIGNATURE_HEADER = "X-Storemon-Signature";
export const TIMESTAMP_HEADER = "X-Storemon-Timestamp";
export const DELIVERY_HEADER = "X-Storemon-Delivery";
const TIMEOUT_MS = 10_000;

export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * Sends one recorded notification to its channel, unless it was delivered already (a job retried after its
 * worker died once the receiver had answered). Throws when the receiver fails, so that the queue retries it.
 */
export async function deliver(deliveryId: number): Promise<void> {
  const { rows } = await pool().query(
    `SELECT d.id, d.event, d.channel, d.delivered_at, i.id AS incident_id, i.kind, i.store_id, i.started_at, i.opened_at, i.resolved_at,
            s.name, o.slug AS owner, z.timezone_str
     FROM alert_deliveries d JOIN incidents i ON i.id = d.incident_id
     LEFT JOIN stores s ON s.store_id = i.store_id LEFT JOIN owners o ON o.id = s.owner_id
     LEFT JOIN store_timezones z ON z.store_id = i.store_id
     WHERE d.id = $1`,
    [deliveryId],
  );
  const d = rows[0];
  if (!d || d.delivered_at) return;
  const channel = channelNamed(d.channel);
  if (!channel) {
    // The channel was removed since: say so, rather than show it waiting for ever.
    await pool().query("UPDATE alert_deliveries SET last_error = 'the channel no longer exists' WHERE id = $1", [deliveryId]);
    return;
  }
  const zone: string = d.timezone_str ?? DEFAULT_TIME_ZONE;
  const local = (t: Date | null) => (t ? formatInTimeZone(t, zone, "yyyy-MM-dd'T'HH:mm:ssXXX") : null);
  const notification: Notification = {
    event: d.event,
    delivery: String(d.id),
    store: { id: d.store_id, name: d.name, owner: d.owner, timeZone: zone },
    incident: {
      id: String(d.incident_id),
      kind: d.kind,
      startedAt: d.started_at.toISOString(),
      openedAt: d.opened_at.toISOString(),
      resolvedAt: d.resolved_at?.toISOString() ?? null,
      local: { startedAt: local(d.started_at), openedAt: local(d.opened_at), resolvedAt: local(d.resolved_at) },
      downSeconds: d.resolved_at ? Math.round((d.resolved_at.getTime() - d.started_at.getTime()) / 1000) : null,
    },
  };
  const failure = await post(channel, String(d.id), notification);
  await pool().query(
    `UPDATE alert_deliveries SET attempts = attempts + 1, last_error = $2,
            delivered_at = coalesce(delivered_at, CASE WHEN $2::text IS NULL THEN now() END) WHERE id = $1`,
    [deliveryId, failure],
  );
  if (failure) throw new Error(`alert ${deliveryId} to ${channel.name}: ${failure}`);
}

interface Notification {
  event: "opened" | "resolved" | "test";
  delivery: string;
  store: { id: string; name: string | null; owner: string | null; timeZone: string };
  incident: {
    id: string;
    kind: "down" | "no_data";
    startedAt: string;
    openedAt: string;
    resolvedAt: string | null;
    local: { startedAt: string | null; openedAt: string | null; resolvedAt: string | null };
    downSeconds: number | null;
  };
}

/** The sentence a Slack-compatible channel gets. */
export function sentence(n: Notification): string {
  const store = n.store.name ? `${n.store.name} (${n.store.id})` : n.store.id;
  const since = `${n.incident.local.startedAt} (${n.store.timeZone})`;
  const what = n.incident.kind === "down" ? "down within its business hours" : "sending no polls within its business hours";
  if (n.event === "test") return `Test alert from Store Monitor: ${store} would be ${what}.`;
  if (n.event === "opened") return `${store} has been ${what} since ${since}.`;
  const minutes = Math.round((n.incident.downSeconds ?? 0) / 60);
  return `${store} is ${n.incident.kind === "down" ? "up" : "polled"} again, after ${minutes} min (since ${since}).`;
}

/** Posts a notification to a channel, as it takes them; the failure in words, or null. */
async function post(channel: Channel, deliveryId: string, notification: Notification): Promise<string | null> {
  const body = JSON.stringify(channel.kind === "slack" ? { text: sentence(notification) } : notification);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = { "Content-Type": "application/json", [TIMESTAMP_HEADER]: timestamp, [DELIVERY_HEADER]: deliveryId };
  if (channel.secret) headers[SIGNATURE_HEADER] = signature(channel.secret, timestamp, body);
  try {
    const response = await fetch(channel.url, { method: "POST", headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    return response.ok ? null : `the receiver answered ${response.status}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The test button: a sample notification (event "test") to every channel, at once; what each answered. */
export async function sendSamples(): Promise<{ channel: string; ok: boolean; error: string | null }[]> {
  const now = new Date().toISOString();
  const sample: Notification = {
    event: "test",
    delivery: "test",
    store: { id: "sample-store", name: "Sample store", owner: null, timeZone: "UTC" },
    incident: { id: "test", kind: "down", startedAt: now, openedAt: now, resolvedAt: null, local: { startedAt: now, openedAt: now, resolvedAt: null }, downSeconds: null },
  };
  return Promise.all(
    channels().map(async (channel) => {
      const error = await post(channel, "test", sample);
      return { channel: channel.name, ok: error === null, error };
    }),
  );
}
