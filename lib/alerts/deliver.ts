import crypto from "node:crypto";
import type pg from "pg";
import { formatInTimeZone } from "date-fns-tz";
import { signedReportQuery } from "../auth/report-links";
import { ALL_STORES } from "../auth/scope";
import { pool } from "../db/pool";
import { env } from "../env";
import { reportOverview } from "../reports/list";
import { DEFAULT_TIME_ZONE } from "../uptime";
import { sendMail } from "../mail/send";
import { muteReason } from "./mutes";
import { post } from "./post";
import { DEFAULT_RULE_ID, type Channel, type Rule } from "./rule";
import { channelNamed } from "./rules";
import { metrics } from "../observability/metrics";
import { errorMessage, log } from "../log";
import { sendJob } from "../jobs/queue";
import { ALERT_DELIVERY_QUEUE } from "../jobs/queues";

/** The headers a receiver checks: the signature is HMAC-SHA256 over `<timestamp>.<body>` with the shared secret. */
export const SIGNATURE_HEADER = "X-Storemon-Signature";
export const TIMESTAMP_HEADER = "X-Storemon-Timestamp";
export const DELIVERY_HEADER = "X-Storemon-Delivery";
const TIMEOUT_MS = 10_000;

export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** The site's address for links in notifications: PUBLIC_URL, else this server on localhost. */
function siteUrl(): string {
  return env().PUBLIC_URL ?? `http://localhost:${env().PORT}`;
}

/** One notification, as each kind of channel takes it: JSON for a webhook, a subject and text for the others. */
interface Message {
  body: IncidentNotification | ReportNotification;
  subject: string;
  text: string;
}

/**
 * Sends one recorded notification to its channel, unless it was delivered already (a job retried after its
 * worker died once the receiver had answered). A scheduled report's waits, off the queue's retries, until the
 * report is complete. Throws when the receiver fails, so that the queue retries it with backoff.
 */
export async function deliver(deliveryId: number): Promise<void> {
  const { rows } = await pool().query(
    `SELECT d.id, d.event, d.channel, d.delivered_at, d.skipped_reason, d.report_id, r.status AS report_status, r.error AS report_error,
            i.id AS incident_id, i.kind, i.store_id, i.started_at, i.opened_at, i.resolved_at,
            s.name, o.slug AS owner, z.timezone_str
     FROM alert_deliveries d LEFT JOIN incidents i ON i.id = d.incident_id LEFT JOIN reports r ON r.id = d.report_id
     LEFT JOIN stores s ON s.store_id = i.store_id LEFT JOIN owners o ON o.id = s.owner_id
     LEFT JOIN store_timezones z ON z.store_id = i.store_id
     WHERE d.id = $1`,
    [deliveryId],
  );
  const d = rows[0];
  if (!d || d.delivered_at || d.skipped_reason) return;
  // A muted store's incidents are recorded as ever; their notifications are not sent, and say why.
  const muted = d.incident_id ? await muteReason(d.store_id, d.timezone_str ?? DEFAULT_TIME_ZONE) : null;
  if (muted) {
    await pool().query("UPDATE alert_deliveries SET skipped_reason = $2 WHERE id = $1", [deliveryId, muted]);
    metrics().alertDeliveries.inc({ kind: d.channel.slice(0, d.channel.indexOf(":")), outcome: "skipped" });
    return;
  }
  const found = await channelNamed(d.channel);
  if (!found) return fail(deliveryId, "the channel no longer exists"); // removed since: said, not left waiting
  let message: Message;
  if (d.report_id) {
    // Not computed yet: the queue tries again with backoff (about 8 minutes in all), and the page says why it waits.
    if (d.report_status === "Queued" || d.report_status === "Running") {
      await fail(deliveryId, "waiting for the report to complete");
      throw new Error(`alert ${deliveryId}: the report ${d.report_id} is not complete yet`);
    }
    if (d.report_status === "Failed") return fail(deliveryId, `the report failed: ${d.report_error ?? "no reason given"}`);
    message = await reportMessage(found.rule, d.report_id, String(d.id));
  } else message = incidentMessage(d);
  const failure = await send(found.rule, found.channel, String(d.id), message);
  metrics().alertDeliveries.inc({ kind: found.channel.kind, outcome: failure ? "failed" : "delivered" });
  const { rows: counted } = await pool().query<{ attempts: number }>(
    `UPDATE alert_deliveries SET attempts = attempts + 1, last_error = $2, last_attempt_at = now(),
            delivered_at = coalesce(delivered_at, CASE WHEN $2::text IS NULL THEN now() END) WHERE id = $1 RETURNING attempts`,
    [deliveryId, failure],
  );
  if (!failure) return;
  // The channel's host, never its address or secret (a Slack-compatible address holds its token).
  log().warn(
    {
      delivery: deliveryId,
      rule: found.rule.id,
      channel: found.channel.name,
      target: describeChannel(found.channel),
      attempt: counted[0]?.attempts,
    },
    `alert delivery failed: ${failure}`,
  );
  throw new Error(`alert ${deliveryId} to ${found.channel.name}: ${failure}`);
}

async function fail(deliveryId: number, error: string): Promise<void> {
  await pool().query("UPDATE alert_deliveries SET last_error = $2 WHERE id = $1", [deliveryId, error]);
}

interface IncidentNotification {
  event: "opened" | "resolved" | "test";
  delivery: string;
  store: { id: string; name: string | null; owner: string | null; timeZone: string; url: string };
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function incidentMessage(d: any): Message {
  const zone: string = d.timezone_str ?? DEFAULT_TIME_ZONE;
  const local = (t: Date | null) => (t ? formatInTimeZone(t, zone, "yyyy-MM-dd'T'HH:mm:ssXXX") : null);
  const body: IncidentNotification = {
    event: d.event,
    delivery: String(d.id),
    store: { id: d.store_id, name: d.name, owner: d.owner, timeZone: zone, url: `${siteUrl()}/stores/${encodeURIComponent(d.store_id)}` },
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
  return incidentWords(body);
}

function incidentWords(body: IncidentNotification): Message {
  const store = body.store.name ? `${body.store.name} (${body.store.id})` : body.store.id;
  const subject = `${body.event === "resolved" ? "Resolved" : body.event === "test" ? "Test" : body.incident.kind === "down" ? "Down" : "No data"}: ${store}`;
  return { body, subject, text: `${sentence(body)}\n${body.store.url}` };
}

/** The sentence a Slack-compatible channel gets, and an e-mail begins with. */
export function sentence(n: IncidentNotification): string {
  const store = n.store.name ? `${n.store.name} (${n.store.id})` : n.store.id;
  const since = `${n.incident.local.startedAt} (${n.store.timeZone})`;
  const what = n.incident.kind === "down" ? "down within its business hours" : "sending no polls within its business hours";
  if (n.event === "test") return `Test alert from Store Monitor: ${store} would be ${what}.`;
  if (n.event === "opened") return `${store} has been ${what} since ${since}.`;
  const minutes = Math.round((n.incident.downSeconds ?? 0) / 60);
  return `${store} is ${n.incident.kind === "down" ? "up" : "polled"} again, after ${minutes} min (since ${since}).`;
}

interface ReportNotification {
  event: "report";
  delivery: string;
  rule: { id: string; name: string };
  report: { id: string; asOf: string | null; url: string; downloadUrl: string; downloadExpiresAt: string };
  /** Over the rule's owner's stores (every store for a fleet rule): the report page's figures. */
  totals: {
    stores: number;
    storesNoData: number;
    storesDownLastDay: number;
    uptimePercent: { hour: number | null; day: number | null; week: number | null };
  } | null;
}

async function reportMessage(rule: Rule, reportId: string, delivery: string): Promise<Message> {
  const scope = rule.ownerId ? { all: false as const, ownerIds: [rule.ownerId] } : ALL_STORES;
  const overview = await reportOverview(reportId, scope);
  const link = await signedReportQuery(reportId, rule.id, rule.ownerId);
  const t = overview.totals;
  const body: ReportNotification = {
    event: "report",
    delivery,
    rule: { id: rule.id, name: rule.name },
    report: {
      id: reportId,
      asOf: overview.asOf,
      url: `${siteUrl()}/reports/${reportId}`,
      downloadUrl: `${siteUrl()}/get_report_file/${reportId}?${link.query}`,
      downloadExpiresAt: link.expiresAt.toISOString(),
    },
    totals: t && { stores: t.stores, storesNoData: t.storesNoData, storesDownLastDay: t.storesDownLastDay, uptimePercent: t.uptimePercent },
  };
  const pct = (p: number | null) => (p === null ? "-" : `${p.toFixed(2)} %`);
  const figures = t
    ? `${t.stores} stores; uptime within business hours: last hour ${pct(t.uptimePercent.hour)}, day ${pct(t.uptimePercent.day)}, week ${pct(t.uptimePercent.week)}; ` +
      `${t.storesDownLastDay} down at some time in the last day; ${t.storesNoData} without data.`
    : "";
  const text = [
    `${rule.name}: the store report as of ${overview.asOf ?? "now"}.`,
    figures,
    `Download the CSV (works for ${Math.round((link.expiresAt.getTime() - Date.now()) / 86_400_000)} days): ${body.report.downloadUrl}`,
    `Open it in the dashboard: ${body.report.url}`,
  ]
    .filter(Boolean)
    .join("\n");
  return { body, subject: `Store report: ${rule.name}`, text };
}

/** Sends a message to a channel of `rule`, as it takes them; the failure in words, or null. */
async function send(rule: Rule, channel: Channel, deliveryId: string, message: Message): Promise<string | null> {
  try {
    if (channel.kind === "email") return await sendMail(channel.to, message.subject, message.text);
    const body = JSON.stringify(channel.kind === "slack" ? { text: message.text } : message.body);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      [TIMESTAMP_HEADER]: timestamp,
      [DELIVERY_HEADER]: deliveryId,
    };
    if (channel.kind === "webhook" && channel.secret) headers[SIGNATURE_HEADER] = signature(channel.secret, timestamp, body);
    // Addresses typed into the dashboard may not reach inside the server's network; the operator's may.
    const allowInternal = rule.id === DEFAULT_RULE_ID || env().ALERT_ALLOW_PRIVATE_TARGETS === "on";
    const status = await post(channel.url, headers, body, { allowInternal, timeoutMs: TIMEOUT_MS });
    return status >= 200 && status < 300 ? null : `the receiver answered ${status}`;
  } catch (e) {
    return errorMessage(e);
  }
}

/** A channel in words, for people: what kind, and where to. */
export function describeChannel(channel: Channel): string {
  if (channel.kind === "email") return `e-mail to ${channel.to.join(", ")}`;
  return `${channel.kind === "slack" ? "Slack-compatible webhook" : "webhook"} at ${new URL(channel.url).host}`;
}

/** The test button: a sample notification (event "test") to each of a rule's channels, at once; what each answered. */
export async function sendSamples(rule: Rule): Promise<{ channel: string; target: string; ok: boolean; error: string | null }[]> {
  const now = new Date().toISOString();
  const sample = incidentWords({
    event: "test",
    delivery: "test",
    store: { id: "sample-store", name: "Sample store", owner: null, timeZone: "UTC", url: `${siteUrl()}/alerts` },
    incident: {
      id: "test",
      kind: "down",
      startedAt: now,
      openedAt: now,
      resolvedAt: null,
      local: { startedAt: now, openedAt: now, resolvedAt: null },
      downSeconds: null,
    },
  });
  return Promise.all(
    rule.channels.map(async (channel) => {
      const error = await send(rule, channel, "test", sample);
      return { channel: channel.name, target: describeChannel(channel), ok: error === null, error };
    }),
  );
}

/** Queues the sending of recorded notifications, in `client`'s transaction (sent only if it commits). */
export async function sendDeliveryJobs(deliveryIds: number[], client: pg.ClientBase): Promise<void> {
  for (const deliveryId of deliveryIds) await sendJob(ALERT_DELIVERY_QUEUE, { deliveryId }, client);
}
