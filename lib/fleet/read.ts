import type pg from "pg";
import { inTransaction } from "../db/pool";
import { readPool } from "../db/replica";
import { PACKED_HOURS_SQL, toEpochUs, unpackHours } from "../db/packed-polls";
import { DEFAULT_TIME_ZONE, ZoneClocks, type ZoneClock } from "../uptime";
import { storeNow, type StoreNow, type StoreRun } from "./state";

/**
 * The zones' clocks, kept for the process: a zone's rules do not change while it runs, and each clock keeps the
 * offsets of the days it has been asked about, which the home's reads ask about again every few seconds.
 */
const clocks = new ZoneClocks();

const DAY_US = 86_400_000_000;

/**
 * The local date (days since 1970-01-01) of an instant: the last local midnight at or before it, from the clock's
 * cached midnights (ZoneClock.localEpochDay gives the same, through Temporal, at some 0.1 ms a call).
 */
export function localDay(clock: ZoneClock, instant: number): number {
  let day = Math.floor(instant / DAY_US);
  while (clock.instantOf(day, 0) > instant) day--;
  while (clock.instantOf(day + 1, 0) <= instant) day++;
  return day;
}

/** Stores by name (by id without one), in a fixed order: the collator is made once, not per comparison. */
const collator = new Intl.Collator("en");
export const byName = (a: { name: string | null; storeId: string }, b: { name: string | null; storeId: string }) =>
  collator.compare(a.name ?? a.storeId, b.name ?? b.storeId) || (a.storeId < b.storeId ? -1 : a.storeId > b.storeId ? 1 : 0);

/**
 * The stores a caller may see, as an SQL condition on a store id column: lib/auth/scope.ts's visibleStores, handed
 * in by the caller. The fleet model sits below the accounts in the layers (lib/feeds writes its days, and lib/auth
 * reaches lib/feeds through lib/owners), so it does not import them.
 */
export type VisibleStores = (column: string) => string;

/** One of the caller's stores with polls, as the fleet model has it, and what it is now. */
export interface FleetStore extends StoreRun {
  storeId: string;
  name: string | null;
  /** Its zone, America/Chicago when it has none on file. */
  zone: string;
  /** Some of its days are being recomputed (store_days_stale): store_days is not to be read for it. */
  stale: boolean;
  now: StoreNow;
}

export interface Fleet {
  /** Now: the newest poll of any store, in epoch microseconds (null when there is none). */
  asOf: number | null;
  stores: FleetStore[];
  clocks: ZoneClocks;
}

/**
 * Reads the caller's stores from the fleet model in one snapshot (read only, repeatable read), and hands the
 * transaction's client to `more` for what else is to be read in it. Now is the newest poll of any store, as a
 * report without an as-of and the store pages take it: a fleet whose data stopped shows as it was then, and says
 * when that was.
 */
export async function readFleet<T>(visible: VisibleStores, more: (client: pg.ClientBase, fleet: Fleet) => Promise<T>): Promise<T> {
  return inTransaction(
    async (client) => {
      const { rows: newest } = await client.query<{ as_of: number | null }>(
        `SELECT ${toEpochUs("max(last_poll_at)")} AS as_of FROM poll_stores`,
      );
      const { rows } = await client.query<{
        store_id: string;
        name: string | null;
        zone: string | null;
        first_us: number;
        last_us: number;
        last_active: boolean;
        run_first_us: number;
        run_after_us: number | null;
        hours: string | null;
        stale: boolean;
      }>(
        `SELECT ps.store_id, s.name, z.timezone_str AS zone, ${toEpochUs("ps.first_poll_at")} AS first_us, ${toEpochUs("ps.last_poll_at")} AS last_us,
              ps.last_active, ${toEpochUs("ps.run_first_poll_at")} AS run_first_us, ${toEpochUs("ps.run_after_poll_at")} AS run_after_us,
              ${PACKED_HOURS_SQL("ps.store_id")} AS hours,
              EXISTS (SELECT 1 FROM store_days_stale st WHERE st.store_id = ps.store_id) AS stale
       FROM poll_stores ps
       LEFT JOIN stores s ON s.store_id = ps.store_id
       LEFT JOIN store_timezones z ON z.store_id = ps.store_id
       WHERE ${visible("ps.store_id")}`,
      );
      const asOf = newest[0]!.as_of;
      const stores = rows.map((r): FleetStore => {
        const run: StoreRun = {
          firstPoll: r.first_us,
          lastPoll: r.last_us,
          lastActive: r.last_active,
          runFirstPoll: r.run_first_us,
          runAfterPoll: r.run_after_us,
          hours: unpackHours(r.hours),
          timeZone: r.zone,
        };
        return {
          ...run,
          storeId: r.store_id,
          name: r.name,
          zone: r.zone ?? DEFAULT_TIME_ZONE,
          stale: r.stale,
          now: storeNow(run, asOf!, clocks),
        };
      });
      return more(client, { asOf, stores, clocks });
    },
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    readPool(),
  );
}
