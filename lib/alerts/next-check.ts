import { businessIntervals, DEFAULT_TIME_ZONE, WINDOWS, type DownIncident, type StoreData, type ZoneClocks } from "../uptime";
import type { Rule } from "./rule";

/** An incident open once a store has been evaluated, and the channels told of its opening. */
export interface OpenAfter {
  kind: "down" | "no_data";
  started: number;
  opened: number;
  told: readonly string[];
}

export interface CheckInput {
  /** The store as its evaluation read it: polls up to `now`. */
  store: StoreData;
  covering: readonly Rule[];
  /** Every outage within business hours the evaluation saw, however short; the last has no end if it reaches now. */
  all: readonly DownIncident[];
  /** Its incidents open after the evaluation. */
  open: readonly OpenAfter[];
  /** When its last down incident ended (-Infinity: none). */
  lastEnd: number;
  /** Its first poll stamped after `now`, or null: such a poll counts once the clock reaches it. */
  nextPoll: number | null;
  /** How far back the evaluation reads every store first, and a store whose story began earlier. */
  firstLook: number;
  lookback: number;
  /** Where this evaluation's read began (now less the first look or the look back). */
  readFrom: number;
  now: number;
}

/** Business hours are weekly: the next opening or closing lies within eight days, whatever the zone's changes. */
const HORIZON = 8 * WINDOWS.day;

/**
 * The earliest instant after `now` at which a store's evaluation could give another answer than at `now`, given
 * no write to its polls, hours, zone, owner or incidents and the same rules; null when only such a write can. Never
 * later than that instant, sometimes earlier (the evaluation then finds nothing to do and says when to look again).
 * What the clock alone changes, by the evaluation's own rules (lib/alerts/evaluate.ts):
 * - a poll stamped after `now` counts once the clock reaches it;
 * - a store down after its last poll: its outage goes on until closing time (which ends it and its incident) and
 *   reaches the rules' quickest time (an incident opens); closed, its next opening starts an outage;
 * - a silent store: the silence reaches the quickest no-data time within business hours (an incident opens), at
 *   that time or at the next opening after it;
 * - an open incident reaches another rule's time (its channels are told);
 * - what the evaluation reads: an outage's start, or an open incident's, leaves the first look (the store is then
 *   read over the look back, where outages older than the first look that no evaluation recorded yet are found),
 *   and the down incident that ended last leaves the look back (an older outage then counts from its start).
 */
export function nextCheck(input: CheckInput, clocks: ZoneClocks): number | null {
  const { store, covering, all, open, lastEnd, nextPoll, firstLook, lookback, readFrom, now } = input;
  const times: number[] = [];
  const later = (t: number) => {
    if (t > now) times.push(t);
  };
  if (nextPoll !== null) later(nextPoll);
  for (const incident of open)
    for (const rule of covering) {
      const minutes = incident.kind === "down" ? rule.afterMinutes : rule.noDataMinutes;
      if (minutes !== null && rule.channels.some((c) => !incident.told.includes(c.name)))
        later(Math.max(incident.started + minutes * 60e6, incident.opened));
    }
  // An incident open since before the first look has the store read over the look back (just after that instant;
  // at once, for an incident this evaluation opened, read over the first look only).
  for (const incident of open)
    if (incident.started + firstLook > now) later(incident.started + firstLook);
    else if (readFrom > now - lookback) times.push(now);
  for (const outage of all) later(outage.start + firstLook);
  if (lastEnd > -Infinity) later(lastEnd + lookback);
  const last = store.polls.findLast((p) => p.at <= now);
  if (last) {
    const hours = businessIntervals(store.hours, clocks.get(store.timeZone ?? DEFAULT_TIME_ZONE), now, now + HORIZON);
    const openDown = open.some((o) => o.kind === "down");
    const ongoing = all.at(-1)?.end === null ? all.at(-1)! : null;
    const after = Math.min(...covering.map((r) => r.afterMinutes)) * 60e6;
    // Open right after now (hours cut at now start there): an outage lasts until closing; else it ended now.
    const first = hours[0];
    const openNow = first !== undefined && first.start === now;
    if (!last.active && openNow) later(first.end);
    else if (ongoing || openDown) times.push(now);
    // The outage a store down goes on with, or its next opening starts.
    const outageStart = last.active ? null : openNow ? (ongoing?.start ?? now) : (first?.start ?? null);
    if (outageStart !== null) {
      if (!openDown) later(outageStart + after);
      later(outageStart + firstLook);
    }
    const noDataAfter = Math.min(...covering.map((r) => r.noDataMinutes ?? Infinity)) * 60e6;
    if (!open.some((o) => o.kind === "no_data") && noDataAfter < Infinity) {
      // A silence opens an incident at an instant within business hours (after an opening, up to a closing).
      const from = Math.max(now, last.at + noDataAfter);
      const within = hours.find((h) => h.end >= from);
      if (within) times.push(within.start < from ? from : within.start);
    }
  }
  return times.length ? Math.min(...times) : null;
}
