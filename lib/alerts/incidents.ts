import { visibleOwners, visibleStores, type Scope } from "../auth/scope";
import { pool } from "../db/pool";
import { AppError } from "../errors";
import { DEFAULT_TIME_ZONE } from "../uptime";
import type { IncidentView } from "../api/views/alerts";

/**
 * The deliveries whose state a caller is shown: every one to admins; to an owner's members, those to the channels of
 * the rules they manage (their owners'), not the operators' (the environment's rule, rules of every store): an
 * operator's receiver and its errors are not theirs to see. A delivery's channel is `<kind>:<rule id>`.
 */
function managedDeliveries(scope: Scope): string {
  if (scope.all) return "TRUE";
  return `split_part(d.channel, ':', 2) IN (SELECT id FROM alert_rules WHERE ${visibleOwners(scope)})`;
}

/** A timestamptz column as the API writes instants: ISO 8601 in UTC, to the second. */
export const isoUtc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/** A delivery's channel in words: what kind, of which rule. */
const CHANNEL_WORDS = `CASE split_part(d.channel, ':', 1) WHEN 'slack' THEN 'Slack-compatible webhook' WHEN 'email' THEN 'e-mail'
    ELSE 'webhook' END || ' of ' || CASE WHEN split_part(d.channel, ':', 2) = 'default' THEN 'the default rule'
    ELSE coalesce('the rule "' || r.name || '"', 'a removed rule') END`;

const DELIVERY_STATE = `CASE WHEN d.delivered_at IS NOT NULL THEN 'delivered' WHEN d.skipped_reason IS NOT NULL THEN 'skipped'
    WHEN d.last_error IS NOT NULL THEN 'failing' ELSE 'waiting' END`;

/** Which incidents: of one store, or one incident, or all the caller may see. */
export interface IncidentFilter {
  storeId?: string;
  incidentId?: string;
}

/** Incidents of the stores of `scope` (of one store, or one incident, when given), open ones first, then the newest. */
export async function listIncidents(scope: Scope, filter: IncidentFilter = {}, limit = 200): Promise<IncidentView[]> {
  const { rows } = await pool().query(
    `SELECT i.id::text, i.store_id AS "storeId", s.name, coalesce(z.timezone_str, $4) AS "timeZone", i.kind,
            ${isoUtc("i.started_at")} AS "startedAt", ${isoUtc("i.opened_at")} AS "openedAt", ${isoUtc("i.resolved_at")} AS "resolvedAt",
            round(extract(epoch FROM coalesce(i.resolved_at, now()) - i.started_at))::int AS "downSeconds",
            coalesce(d.delivered, 0) AS delivered, coalesce(d.pending, 0) AS pending, coalesce(d.skipped, 0) AS skipped,
            d.last_error AS "lastError", coalesce(d.list, '[]') AS deliveries,
            CASE WHEN i.acknowledged_at IS NOT NULL THEN json_build_object('by', i.acknowledged_by,
              'at', ${isoUtc("i.acknowledged_at")}, 'note', i.acknowledgement_note) END AS acknowledgement
     FROM (SELECT * FROM incidents WHERE ${visibleStores(scope)} AND ($1::text IS NULL OR store_id = $1) AND ($3::bigint IS NULL OR id = $3)
           ORDER BY (resolved_at IS NULL) DESC, opened_at DESC LIMIT $2) i
     LEFT JOIN stores s USING (store_id) LEFT JOIN store_timezones z USING (store_id)
     LEFT JOIN LATERAL (
       SELECT count(d.delivered_at)::int AS delivered, count(*) FILTER (WHERE d.delivered_at IS NULL AND d.skipped_reason IS NULL)::int AS pending,
              count(d.skipped_reason)::int AS skipped,
              max(d.last_error) FILTER (WHERE d.delivered_at IS NULL AND d.skipped_reason IS NULL) AS last_error,
              json_agg(json_build_object('event', d.event, 'channel', ${CHANNEL_WORDS}, 'state', ${DELIVERY_STATE},
                'attempts', d.attempts, 'lastAttemptAt', ${isoUtc("d.last_attempt_at")}, 'deliveredAt', ${isoUtc("d.delivered_at")},
                'error', coalesce(d.skipped_reason, CASE WHEN d.delivered_at IS NULL THEN d.last_error END)) ORDER BY d.id) AS list
       FROM alert_deliveries d LEFT JOIN alert_rules r ON r.id = split_part(d.channel, ':', 2)
       WHERE d.incident_id = i.id AND ${managedDeliveries(scope)}) d ON TRUE
     ORDER BY (i.resolved_at IS NULL) DESC, i.opened_at DESC`,
    [filter.storeId ?? null, limit, filter.incidentId ?? null, DEFAULT_TIME_ZONE],
  );
  return rows;
}

/** An incident id as the API takes it: digits (a bigint), else no such incident. */
const incidentNotFound = (id: string) => new AppError("incident_not_found", 404, `no incident ${id}`);

/**
 * Records that `actor` has seen an open incident (with an optional note). Idempotent: acknowledging it again
 * keeps the first who, when and note. An incident of a store outside `scope` is a 404, as one that does not
 * exist; a resolved one that nobody acknowledged is a 409 (there is nothing left to act on).
 */
export async function acknowledgeIncident(scope: Scope, actor: string, id: string, note: string | undefined): Promise<IncidentView> {
  if (!/^[0-9]{1,18}$/.test(id)) throw incidentNotFound(id);
  const { rows } = await pool().query<{ resolved: boolean; acknowledged: boolean }>(
    `UPDATE incidents SET acknowledged_at = now(), acknowledged_by = $2, acknowledgement_note = $3
     WHERE id = $1 AND ${visibleStores(scope)} AND acknowledged_at IS NULL AND resolved_at IS NULL RETURNING true AS acknowledged`,
    [id, actor, note || null],
  );
  if (rows.length === 0) {
    const { rows: found } = await pool().query<{ resolved: boolean; acknowledged: boolean }>(
      `SELECT resolved_at IS NOT NULL AS resolved, acknowledged_at IS NOT NULL AS acknowledged FROM incidents WHERE id = $1 AND ${visibleStores(scope)}`,
      [id],
    );
    if (!found[0]) throw incidentNotFound(id);
    if (!found[0].acknowledged)
      throw new AppError("incident_resolved", 409, `incident ${id} is resolved already: only an open one is acknowledged`);
  }
  return (await listIncidents(scope, { incidentId: id }, 1))[0]!;
}
