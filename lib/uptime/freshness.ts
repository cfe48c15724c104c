import type { Poll } from "./status";
import { pollsUpTo, WINDOWS } from "./store-uptime";
import { US_PER_SECOND } from "./time-zone";

/**
 * How near a poll must be to vouch for an instant. Polls come about once an hour; 90 minutes allows one late
 * poll, not a missed one.
 */
export const FRESH_WITHIN = 90 * 60 * US_PER_SECOND;

/**
 * How far a report's figures for a store rest on polls of the window they report:
 * - fresh: its last poll at or before the as-of instant is at most 90 minutes older than it;
 * - stale: its last poll is older than that but inside the week (the last hour's, maybe the day's, figures are
 *   carried over from an older poll);
 * - no_data: no poll inside the week at all: every figure is extrapolated from a poll before the week (a store
 *   whose feed stopped), so fleet figures leave such stores out.
 */
export const FRESHNESS = ["fresh", "stale", "no_data"] as const;
export type Freshness = (typeof FRESHNESS)[number];

export interface StoreFreshness {
  /** The last poll at or before now (epoch microseconds); null when there is none. */
  lastPoll: number | null;
  /** The share of the week [now - week, now) that has a poll within 90 minutes, 0 to 1. */
  coverage: number;
  state: Freshness;
}

/**
 * The measure of the instants in [from, to) within FRESH_WITHIN of a poll. `polls` is sorted by time and must
 * hold every poll inside [from, to), the last one before `from` and the first one at or after `to` (the nearer
 * polls on either side cover at least what farther ones do).
 */
export function coveredWithin(polls: readonly Poll[], from: number, to: number): number {
  let covered = 0;
  let coveredTo = from; // the union of [poll - 90 min, poll + 90 min] is measured left to right
  for (const poll of polls) {
    const start = Math.max(poll.at - FRESH_WITHIN, coveredTo);
    const end = Math.min(poll.at + FRESH_WITHIN, to);
    if (end > start) {
      covered += end - start;
      coveredTo = end;
    }
  }
  return covered;
}

/** The freshness of a store's figures at `now`, from its polls (sorted by time; later ones are ignored). */
export function storeFreshness(polls: readonly Poll[], now: number): StoreFreshness {
  const upToNow = pollsUpTo(polls, now);
  const lastPoll = upToNow.at(-1)?.at ?? null;
  return { lastPoll, coverage: coveredWithin(upToNow, now - WINDOWS.week, now) / WINDOWS.week, state: freshnessState(lastPoll, now) };
}

/** The state of a store's figures at `now` whose last poll at or before it is `lastPoll`. */
export function freshnessState(lastPoll: number | null, now: number): Freshness {
  return lastPoll === null || lastPoll < now - WINDOWS.week ? "no_data" : lastPoll < now - FRESH_WITHIN ? "stale" : "fresh";
}

/**
 * An instant in epoch microseconds as ISO 8601 with all six fraction digits (UTC), for PostgreSQL. A half
 * microsecond (a midpoint between two polls) is cut to the microsecond before it, PostgreSQL's precision.
 */
export function isoMicros(instant: number): string {
  const us = Math.floor(instant);
  const ms = Math.floor(us / 1000);
  return new Date(ms).toISOString().replace("Z", `${String(us - ms * 1000).padStart(3, "0")}Z`);
}
