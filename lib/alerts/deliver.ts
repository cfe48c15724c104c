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
  const body = JSON.stringify({
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
  });
  const failure = await post(channel, String(d.id), body);
  await pool().query(
    `UPDATE alert_deliveries SET attempts = attempts + 1, last_error = $2,
            delivered_at = coalesce(delivered_at, CASE WHEN $2::text IS NULL THEN now() END) WHERE id = $1`,
    [deliveryId, failure],
  );
  if (failure) throw new Error(`alert ${deliveryId} to ${channel.name}: ${failure}`);
}

/** Posts a signed body to a channel; the failure in words, or null. */
async function post(channel: Channel, deliveryId: string, body: string): Promise<string | null> {
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
  const body = JSON.stringify({
    event: "test",
    delivery: "test",
    store: { id: "sample-store", name: "Sample store", owner: null, timeZone: "UTC" },
    incident: { id: "test", kind: "down", startedAt: now, openedAt: now, resolvedAt: null, local: { startedAt: now, openedAt: now, resolvedAt: null }, downSeconds: null },
  });
  return Promise.all(
    channels().map(async (channel) => {
      const error = await post(channel, "test", body);
      return { channel: channel.name, ok: error === null, error };
    }),
  );
}
