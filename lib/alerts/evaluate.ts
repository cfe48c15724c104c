import type pg from "pg";
import { inTransaction, pool } from "../db/pool";
import { fromEpochUs, loadStoreData, toEpochUs } from "../reports/store-data";
import { countedSpans, downIncidents, isoMicros, noDataIncident, WINDOWS, ZoneClocks, type DownIncident, type StoreData } from "../uptime";
import { INCIDENT_KINDS } from "../api/views/alerts";
import { covers, type Rule } from "./rule";
import { rulesOfKind } from "./rules";
import { sendDeliveryJobs } from "./deliver";
import { nextCheck, type OpenAfter } from "./next-check";

const BATCH = 1000;
/** Connections that read batches at once. */
const READERS = 3;
/** How far back an evaluation looks: what matters is whether a store is down now, and since when. */
const LOOKBACK = 2 * WINDOWS.day;
/**
 * What it reads of every store first: the last hours (and the poll before them). A store whose story began
 * before them (down or silent since, or an incident open since) is read again over LOOKBACK, so that when it
 * went down, and when an old incident ended, are exact; the rest, most stores most minutes, cost an eighth.
 */
const FIRST_LOOK = 6 * WINDOWS.hour;
/** An outage found once it is over is told (opened and resolved) if it ended this recently; older, only logged. */
const TELL_ENDED_WITHIN = WINDOWS.hour;
/** down: the store is down in its business hours; no_data: its poller has been silent in its business hours. */
type Kind = (typeof INCIDENT_KINDS)[number];
type OpenIncident = { id: string; store_id: string; kind: Kind; started: number; opened: number; told: string[] };
/** One evaluation at a time, whichever worker runs it: a store is never evaluated twice at once. */
const EVALUATION_LOCK = "hashtextextended('alerts:evaluate', 0)";

interface Batch {
  assessed: Assessment[];
  /** The incidents open, by `<kind>:<store id>`. */
  openOf: Map<string, OpenIncident>;
  /** When each store's last resolved down incident ended. */
  lastDownEnd: Map<string, number>;
  /** The first poll after now, of the stores that have one. */
  nextPollOf: Map<string, number>;
}

export interface Evaluation {
  stores: number;
  opened: number;
  resolved: number;
}

/**
 * Opens and resolves incidents for `storeIds` (null: every active store, see activeStores) as of `at` (epoch
 * microseconds; the clock, once the lock is held, by default), by the report's rules, and queues the
 * notifications of what changed. Idempotent: a store still down keeps its open incident; every notification
 * is recorded once (alert_deliveries) before its job is queued, in the same transaction.
 */
export async function evaluateStores(storeIds: string[] | null, at?: number): Promise<Evaluation> {
  return inEvaluation(at, async (client, now) => {
    const ids = storeIds ?? (await activeStores(client, now));
    return (await evaluateIn(client, ids, now, await rulesOfKind("incidents"), false)).evaluation;
  });
}

/**
 * Runs `work` as the one evaluation at a time (an advisory lock, whichever worker runs it), in its transaction,
 * as of `at` or the clock once the lock is held: an evaluation that waited never goes back in time behind the one
 * before it.
 */
export async function inEvaluation<T>(at: number | undefined, work: (client: pg.PoolClient, now: number) => Promise<T>): Promise<T> {
  return inTransaction(async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${EVALUATION_LOCK})`);
    return work(client, at ?? Date.now() * 1000);
  });
}

export interface Evaluated {
  evaluation: Evaluation;
  /** With `withChecks`: each store's next check (see nextCheck; null: only a write can change its answer). */
  checks: Map<string, number | null>;
}

/** Evaluates the stores `ids` as of `now`, in `client`'s transaction (see evaluateStores), with `rules`. */
export async function evaluateIn(
  client: pg.PoolClient,
  ids: readonly string[],
  now: number,
  rules: readonly Rule[],
  withChecks: boolean,
): Promise<Evaluated> {
  const result: Evaluation = { stores: 0, opened: 0, resolved: 0 };
  const checks = new Map<string, number | null>();
  /** Batches being read, in order; each on its reader, which reads the batch READERS on once it is done. */
  const reading: Promise<Batch>[] = [];
  const readers: pg.PoolClient[] = [];
  try {
    const clocks = new ZoneClocks();
    const deliveries: number[] = [];
    // Reads go through connections of their own, so that the next batches are read (on as many of the server's
    // cores) while this one is evaluated and written (incidents are written only by evaluations, which the
    // lock keeps to one at a time). The reads, one index probe after another per store, are what takes time.
    for (let r = 0; r < Math.min(READERS, Math.ceil(ids.length / BATCH)); r++) readers.push(await pool().connect());
    // The rules that cover a store; the quickest of them opens its incidents (the environment's rule, which covers
    // every store, at ALERT_AFTER_MINUTES and ALERT_NO_DATA_MINUTES at the latest).
    const coveringOf = (storeId: string, owners: Map<string, string | null>) =>
      rules.filter((r) => covers(r, storeId, owners.get(storeId) ?? null));
    const load = async (reader: pg.PoolClient, from: number): Promise<Batch> => {
      const batch = ids.slice(from, from + BATCH);
      const stores = await loadStoreData(reader, batch, now - FIRST_LOOK, now);
      const { rows: open } = await reader.query<OpenIncident>(
        `SELECT id, store_id, kind, extract(epoch FROM started_at)::float8 * 1e6 AS started, extract(epoch FROM opened_at)::float8 * 1e6 AS opened,
                array(SELECT channel FROM alert_deliveries d WHERE d.incident_id = i.id AND d.event = 'opened') AS told
         FROM incidents i WHERE resolved_at IS NULL AND store_id = ANY($1)`,
        [batch],
      );
      const { rows: owned } = await reader.query<{ store_id: string; owner_id: string | null }>(
        "SELECT store_id, owner_id FROM stores WHERE store_id = ANY($1) AND owner_id IS NOT NULL",
        [batch],
      );
      const owners = new Map(owned.map((o) => [o.store_id, o.owner_id]));
      const { rows: ended } = await reader.query<{ store_id: string; end: number }>(
        `SELECT store_id, extract(epoch FROM max(resolved_at))::float8 * 1e6 AS "end" FROM incidents
         WHERE kind = 'down' AND resolved_at IS NOT NULL AND store_id = ANY($1) GROUP BY store_id`,
        [batch],
      );
      const lastDownEnd = new Map(ended.map((r) => [r.store_id, r.end]));
      const openOf = new Map(open.map((o) => [`${o.kind}:${o.store_id}`, o]));
      const nextPollOf = withChecks ? await pollsAfter(reader, batch, now) : new Map<string, number>();
      // First over the last hours; again over LOOKBACK, the stores whose story began before them.
      const assessed = stores.map((store) => assess(store, coveringOf(store.storeId, owners), now - FIRST_LOOK, now, clocks));
      const openBefore = (storeId: string) =>
        INCIDENT_KINDS.some((k) => (openOf.get(`${k}:${storeId}`)?.started ?? Infinity) < now - FIRST_LOOK);
      const longer = assessed.filter((a) => a.startsBefore || openBefore(a.store.storeId)).map((a) => a.store.storeId);
      if (longer.length === 0) return { assessed, openOf, lastDownEnd, nextPollOf };
      const again = new Map(
        (await loadStoreData(reader, longer, now - LOOKBACK, now)).map((store) => [
          store.storeId,
          assess(store, coveringOf(store.storeId, owners), now - LOOKBACK, now, clocks),
        ]),
      );
      return { assessed: assessed.map((a) => again.get(a.store.storeId) ?? a), openOf, lastDownEnd, nextPollOf };
    };
    const read = (b: number) => {
      const batch = load(readers[b % readers.length]!, b * BATCH);
      batch.catch(() => {}); // awaited below; until then a failed read must not count as unhandled
      reading[b] = batch;
    };
    readers.forEach((_, b) => read(b));
    for (let b = 0; b * BATCH < ids.length; b++) {
      const { assessed, openOf, lastDownEnd, nextPollOf } = await reading[b]!;
      if ((b + readers.length) * BATCH < ids.length) read(b + readers.length);
      for (const { store, covering, outages, all, current, from } of assessed) {
        result.stores++;
        let lastEnd = lastDownEnd.get(store.storeId) ?? -Infinity;
        /** What stays open once the store is evaluated, and who has been told of it. */
        const openAfter: OpenAfter[] = [];
        for (const kind of INCIDENT_KINDS) {
          let existing = openOf.get(`${kind}:${store.storeId}`);
          const found = current[kind];
          const ended = existing ? endOf(kind, existing.started, found, all, store, now) : null;
          if (existing && ended !== null) {
            // Never before it opened: a shorter outage seen later still ends the incident at its opening.
            const end = Math.max(ended, existing.opened);
            await client.query("UPDATE incidents SET resolved_at = $2 WHERE id = $1", [existing.id, isoMicros(end)]);
            // Rules whose time it reached before it ended hear of it even if no evaluation saw it then.
            deliveries.push(...(await record(client, existing.id, "opened", due(kind, existing, covering, end))));
            deliveries.push(...(await recordResolved(client, existing.id)));
            result.resolved++;
            lastEnd = end;
            existing = undefined;
          }
          // Outages long enough that began and ended between two evaluations (or arrived late, in a batch of
          // polls): recorded, so that the log holds every outage the report counts; told if they ended lately.
          if (kind === "down") {
            const before = existing?.started ?? found?.start ?? Infinity;
            for (const o of outages) {
              if (o.end === null || o.start < lastEnd || o.end > before) continue;
              const { rows } = await client.query<{ id: string }>(
                "INSERT INTO incidents (store_id, kind, started_at, opened_at, resolved_at) VALUES ($1, 'down', $2, $3, $4) RETURNING id",
                [store.storeId, isoMicros(o.start), isoMicros(o.opened), isoMicros(o.end)],
              );
              if (o.end >= now - TELL_ENDED_WITHIN) {
                deliveries.push(
                  ...(await record(
                    client,
                    rows[0]!.id,
                    "opened",
                    due(kind, { started: o.start, opened: o.opened, told: [] }, covering, o.end),
                  )),
                );
                deliveries.push(...(await recordResolved(client, rows[0]!.id)));
              }
              result.opened++;
              result.resolved++;
              lastEnd = o.end;
            }
          }
          if (existing) {
            const told = due(kind, existing, covering, now);
            deliveries.push(...(await record(client, existing.id, "opened", told)));
            openAfter.push({ kind, started: existing.started, opened: existing.opened, told: [...existing.told, ...told] });
          } else if (found) {
            const { rows } = await client.query<{ id: string }>(
              "INSERT INTO incidents (store_id, kind, started_at, opened_at) VALUES ($1, $2, $3, $4) RETURNING id",
              [store.storeId, kind, isoMicros(found.start), isoMicros(found.opened)],
            );
            const incident = { started: found.start, opened: found.opened, told: [] };
            const told = due(kind, incident, covering, now);
            deliveries.push(...(await record(client, rows[0]!.id, "opened", told)));
            openAfter.push({ kind, started: found.start, opened: found.opened, told });
            result.opened++;
          }
        }
        if (withChecks) {
          const nextPoll = nextPollOf.get(store.storeId) ?? null;
          checks.set(
            store.storeId,
            nextCheck(
              { store, covering, all, open: openAfter, lastEnd, nextPoll, firstLook: FIRST_LOOK, lookback: LOOKBACK, readFrom: from, now },
              clocks,
            ),
          );
        }
      }
    }
    if (deliveries.length) await sendDeliveryJobs(deliveries, client);
  } finally {
    await Promise.allSettled(reading);
    for (const reader of readers) reader.release();
  }
  return { evaluation: result, checks };
}

/** The first poll stamped after `now` of each of `storeIds` that has one (from poll_stores' last poll, most have none). */
async function pollsAfter(client: pg.ClientBase, storeIds: string[], now: number): Promise<Map<string, number>> {
  const { rows } = await client.query<{ store_id: string; next: number }>(
    `SELECT ps.store_id, ${toEpochUs(`(SELECT min(p.timestamp_utc) FROM polls p WHERE p.store_id = ps.store_id AND p.timestamp_utc > ${fromEpochUs("$2")})`)}::float8 AS next
     FROM poll_stores ps WHERE ps.store_id = ANY($1) AND ps.last_poll_at > ${fromEpochUs("$2")}`,
    [storeIds, now],
  );
  return new Map(rows.map((r) => [r.store_id, r.next]));
}

interface Assessment {
  store: StoreData;
  covering: Rule[];
  /** The outages within business hours long enough for an incident, from `from` to now. */
  outages: DownIncident[];
  /** Every outage within business hours, however short. */
  all: DownIncident[];
  /** What is going on now: the down incident and the silence there would be. */
  current: Record<Kind, { start: number; opened: number } | null>;
  /** Whether what is going on now may have begun before `from`: the store is to be read further back. */
  startsBefore: boolean;
  /** Where the data it was assessed from began. */
  from: number;
}

/** A store's state at `now` by the report's rules, from its data from `from` on, at its rules' quickest times. */
function assess(store: StoreData, covering: Rule[], from: number, now: number, clocks: ZoneClocks): Assessment {
  const after = Math.min(...covering.map((r) => r.afterMinutes)) * 60e6;
  const noDataAfter = Math.min(...covering.map((r) => r.noDataMinutes ?? Infinity)) * 60e6;
  const timeline = countedSpans(store, from, now, clocks);
  const all = timeline ? downIncidents(timeline.counted, now, 0) : [];
  const outages = all.filter((o) => (o.end ?? now) - o.start >= after).map((o) => ({ ...o, opened: o.start + after }));
  const lastPoll = store.polls.findLast((p) => p.at <= now)?.at ?? null;
  const current = {
    down: outages.find((x) => x.end === null && x.opened <= now) ?? null,
    no_data: timeline ? noDataIncident(lastPoll, timeline.open, now, noDataAfter) : null,
  };
  // An outage found at the very start of the data (it may have begun before), or a silence whose hours are cut there.
  const startsBefore = all.some((o) => o.start <= from) || (current.no_data !== null && current.no_data.opened <= from);
  return { store, covering, outages, all, current, startsBefore, from };
}

/**
 * When an open incident (started at `started`) ended, or null while it lasts, from every outage however short.
 * Down: when the outage it followed ended (the store up again, or its hours over), also when another outage has begun since (up or closed in
 * between: a new incident). No data: at the first poll since; closing time does not end a silence.
 */
function endOf(
  kind: Kind,
  started: number,
  found: { start: number } | null,
  outages: readonly { start: number; end: number | null }[],
  store: StoreData,
  now: number,
): number | null {
  if (kind === "no_data") return store.polls.find((p) => p.at > started && p.at <= now)?.at ?? null;
  const ended = outages.find((x) => x.end !== null && x.end > started && (!found || x.end <= found.start))?.end;
  // Still down (found, or an outage shorter than the rules' times now, after a rule's time went up): it lasts.
  return ended ?? (found || outages.some((x) => x.end === null) ? null : now);
}

/**
 * Stores worth a look: a poll in the last day, or an incident open or resolved in the last week (a store whose
 * poller died stays watched: it still opens incidents at its next opening).
 */
export async function activeStores(client: pg.ClientBase, now: number): Promise<string[]> {
  const { rows } = await client.query<{ store_id: string }>(
    `SELECT DISTINCT store_id FROM polls WHERE timestamp_utc >= $1::timestamptz
     UNION SELECT store_id FROM incidents WHERE resolved_at IS NULL OR resolved_at >= $2::timestamptz`,
    [isoMicros(now - WINDOWS.day), isoMicros(now - WINDOWS.week)],
  );
  return rows.map((r) => r.store_id);
}

/**
 * activeStores as SQL for the minute's round, from each store's last poll kept in poll_stores (not a scan of the
 * day's polls): the instants (literals) since which a poll or an incident keeps a store watched, and whether the
 * store `storeId` (an SQL expression) is.
 */
export function activeStoreSql(now: number): { pollSince: string; incidentSince: string; is: (storeId: string) => string } {
  const pollSince = `timestamptz '${isoMicros(now - WINDOWS.day)}'`;
  const incidentSince = `timestamptz '${isoMicros(now - WINDOWS.week)}'`;
  return {
    pollSince,
    incidentSince,
    is: (storeId) => `(EXISTS (SELECT 1 FROM poll_stores ps WHERE ps.store_id = ${storeId} AND ps.last_poll_at >= ${pollSince})
      OR EXISTS (SELECT 1 FROM incidents i WHERE i.store_id = ${storeId} AND (i.resolved_at IS NULL OR i.resolved_at >= ${incidentSince})))`,
  };
}

/**
 * The channels to tell of an incident's opening by `at`: those of each covering rule whose own time the
 * incident has reached (its down time, or its silence, at least the rule's minutes; never before it opened),
 * less those told already.
 */
function due(kind: Kind, incident: { started: number; opened: number; told: string[] }, covering: readonly Rule[], at: number): string[] {
  const names: string[] = [];
  for (const rule of covering) {
    const minutes = kind === "down" ? rule.afterMinutes : rule.noDataMinutes;
    if (minutes === null || at < Math.max(incident.started + minutes * 60e6, incident.opened)) continue;
    for (const channel of rule.channels) if (!incident.told.includes(channel.name)) names.push(channel.name);
  }
  return names;
}

/** Records an incident's notification for these channels; returns the ids of those not recorded before. */
async function record(client: pg.ClientBase, incidentId: string, event: "opened", names: string[]): Promise<number[]> {
  if (names.length === 0) return [];
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO alert_deliveries (incident_id, event, channel) SELECT $1, $2, unnest($3::text[])
     ON CONFLICT (incident_id, event, channel) DO NOTHING RETURNING id`,
    [incidentId, event, names],
  );
  return rows.map((r) => Number(r.id));
}

/** Records an incident's resolution for every channel told of its opening. */
async function recordResolved(client: pg.ClientBase, incidentId: string): Promise<number[]> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO alert_deliveries (incident_id, event, channel)
     SELECT incident_id, 'resolved', channel FROM alert_deliveries WHERE incident_id = $1 AND event = 'opened' ORDER BY id
     ON CONFLICT (incident_id, event, channel) DO NOTHING RETURNING id`,
    [incidentId],
  );
  return rows.map((r) => Number(r.id));
}
