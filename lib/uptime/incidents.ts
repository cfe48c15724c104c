import type { Interval } from "./intervals";
import { outages } from "./outages";
import type { StatusSpan } from "./status";

/** A store down within business hours for at least the rule's time. */
export interface DownIncident {
  /** When it went down (the outage's start). */
  start: number;
  /** When it had been down for the rule's time: when it opens. */
  opened: number;
  /** When it came up again or its business hours ended; null while it lasts (it reaches now). */
  end: number | null;
}

/**
 * The incidents among counted spans (business time split into up and down up to `now`, as the report counts
 * it): each outage of at least `afterUs` is one. An outage that reaches `now` is still open; one cut by closing
 * time ended then, and the next opening starts a new one, as it would a new outage in the report.
 */
export function downIncidents(counted: readonly StatusSpan[], now: number, afterUs: number): DownIncident[] {
  return outages(counted)
    .filter((o) => o.end - o.start >= afterUs)
    .map((o) => ({ start: o.start, opened: o.start + afterUs, end: o.end >= now ? null : o.end }));
}

/** A store in its business hours whose poller has sent nothing for at least the rule's time. */
export interface NoDataIncident {
  /** The last poll: data stopped after it. */
  start: number;
  /** When the silence reached the rule's time within business hours. */
  opened: number;
}

/**
 * The "no data" incident at `now`, or null: the store is open now (`open`: its business intervals up to now,
 * merged) and its last poll is at least `afterUs` old. It opens when the silence has lasted that long, or at
 * the opening of the business hours it runs into, whichever is later: a poller that is quiet at night is no
 * incident until the store opens.
 */
export function noDataIncident(lastPoll: number | null, open: readonly Interval[], now: number, afterUs: number): NoDataIncident | null {
  if (lastPoll === null || now - lastPoll < afterUs) return null;
  const current = open.find((i) => i.start < now && i.end >= now);
  if (!current) return null;
  return { start: lastPoll, opened: Math.max(lastPoll + afterUs, current.start) };
}
