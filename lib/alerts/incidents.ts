import { visibleOwners, visibleStores, type Scope } from "../auth/scope";
import { pool } from "../db/pool";
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

/** Incidents of the stores of `scope` (and of one store, when given), open ones first, then the newest. */
export async function listIncidents(scope: Scope, storeId?: string, limit = 200): Promise<IncidentView[]> {
  const { rows } = await pool().query(
    `SELECT i.id::text, i.store_id AS "storeId", s.name, i.kind,
            to_char(i.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "startedAt",
            to_char(i.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "openedAt",
            to_char(i.resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "resolvedAt",
            round(extract(epoch FROM coalesce(i.resolved_at, now()) - i.started_at))::int AS "downSeconds",
            count(d.delivered_at)::int AS delivered, (count(d.id) - count(d.delivered_at))::int AS pending,
            max(d.last_error) FILTER (WHERE d.delivered_at IS NULL) AS "lastError"
     FROM (SELECT * FROM incidents WHERE ${visibleStores(scope)} AND ($1::text IS NULL OR store_id = $1)
           ORDER BY (resolved_at IS NULL) DESC, opened_at DESC LIMIT $2) i
     LEFT JOIN stores s USING (store_id) LEFT JOIN alert_deliveries d ON d.incident_id = i.id AND ${managedDeliveries(scope)}
     GROUP BY i.id, i.store_id, i.kind, i.started_at, i.opened_at, i.resolved_at, s.name
     ORDER BY (i.resolved_at IS NULL) DESC, i.opened_at DESC`,
    [storeId ?? null, limit],
  );
  return rows;
}
