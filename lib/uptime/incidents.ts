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
