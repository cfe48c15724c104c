import type { NowState } from "../api/views/fleet";
import { businessIntervals, DEFAULT_TIME_ZONE, FRESH_WITHIN, type HoursRow, type ZoneClocks } from "../uptime";

/** A store's state as poll_stores keeps it (epoch microseconds), with its hours and zone. */
export interface StoreRun {
  firstPoll: number;
  lastPoll: number;
  lastActive: boolean;
  /** The first poll of the run of polls with the last poll's status. */
  runFirstPoll: number;
  /** The last poll of the other status before that run; null when every poll has had this status. */
  runAfterPoll: number | null;
  hours: readonly HoursRow[];
  timeZone: string | null;
}

export interface StoreNow {
  state: NowState;
  /** When its run began (the last poll, for no_data). */
  since: number;
  sinceFirstPoll: boolean;
  /** Business time from `since` to now, in microseconds; not counted (0) for a store that is up. */
  businessUs: number;
  openNow: boolean;
}

const lengthOf = (intervals: readonly { start: number; end: number }[]) => intervals.reduce((sum, i) => sum + i.end - i.start, 0);

/**
 * What a store is at `now` by the report's rules. The last poll owns everything after it (nearest poll), so the
 * store is what its last poll said, since its run began: halfway between the run's first poll and the poll of the
 * other status before it, or its first poll. A store open now whose last poll is older than FRESH_WITHIN has no
 * data now, since that poll: its poller, not the store, has gone quiet (a poller quiet while the store is closed
 * is not). How long: business time from then to now, by the store's hours in its zone.
 */
export function storeNow(store: StoreRun, now: number, clocks: ZoneClocks): StoreNow {
  const clock = clocks.get(store.timeZone ?? DEFAULT_TIME_ZONE);
  const openNow = businessIntervals(store.hours, clock, now - 1, now).length > 0;
  const silent = openNow && now - store.lastPoll > FRESH_WITHIN;
  const sinceFirstPoll = !silent && store.runAfterPoll === null;
  const since = silent ? store.lastPoll : sinceFirstPoll ? store.firstPoll : (store.runAfterPoll! + store.runFirstPoll) / 2;
  const state = silent ? "no_data" : store.lastActive ? "up" : "down";
  const businessUs = state === "up" || since >= now ? 0 : lengthOf(businessIntervals(store.hours, clock, since, now));
  return { state, since, sinceFirstPoll, businessUs, openNow };
}
