import type pg from "pg";
import { fromEpochUs, PACKED_POLLS_AROUND_SQL, unpackPolls } from "../db/packed-polls";
import {
  BAR_DAYS,
  PERIODS,
  TREND_WEEKS,
  type DayBar,
  type FleetPeriodsView,
  type PeriodFigures,
  type PeriodName,
  type StorePeriods,
} from "../api/views/fleet";
import { dayRollups, DEFAULT_TIME_ZONE, healthOf, uptimePercent, type ZoneClocks } from "../uptime";
import { byName, localDay, readFleet, type FleetStore, type VisibleStores } from "./read";

/**
 * A store's last BAR_DAYS complete local days, oldest first (index BAR_DAYS - n: n days before "today"): up and
 * down microseconds within business hours and polls as store_days keeps them (polls -1: no day on file), with
 * running sums, so that any period's figures are one subtraction.
 */
class Days {
  readonly up = new Float64Array(BAR_DAYS);
  readonly down = new Float64Array(BAR_DAYS);
  readonly polls = new Int32Array(BAR_DAYS).fill(-1);
  private sums?: { up: Float64Array; down: Float64Array };

  set(index: number, day: { up: number; down: number; polls: number }) {
    this.up[index] = day.up;
    this.down[index] = day.down;
    this.polls[index] = day.polls;
  }

  /** Up and down over the days `first` to `last` days before today. */
  figures([first, last]: readonly [number, number]): { up: number; down: number } {
    if (!this.sums) {
      const up = new Float64Array(BAR_DAYS + 1);
      const down = new Float64Array(BAR_DAYS + 1);
      for (let i = 0; i < BAR_DAYS; i++) {
        up[i + 1] = up[i]! + this.up[i]!;
        down[i + 1] = down[i]! + this.down[i]!;
      }
      this.sums = { up, down };
    }
    const [from, to] = [BAR_DAYS - last, BAR_DAYS - first + 1];
    return { up: this.sums.up[to]! - this.sums.up[from]!, down: this.sums.down[to]! - this.sums.down[from]! };
  }

  /** Each day's bar: its uptime %, "closed" when polled but without business time, null without a poll (no data). */
  bars(): DayBar[] {
    const bars: DayBar[] = new Array(BAR_DAYS);
    for (let i = 0; i < BAR_DAYS; i++) bars[i] = this.polls[i]! <= 0 ? null : (uptimePercent(this.up[i]!, this.down[i]!) ?? "closed");
    return bars;
  }
}

const dateOf = (epochDay: number) => new Date(epochDay * 86_400_000).toISOString().slice(0, 10);
const hours = (us: number) => Math.round(us / 36e6) / 100;

/**
 * The caller's stores over complete local days: the last 7 against the 7 before, 30 and 90 days, the weekly trend,
 * and each store's daily bars. One set of dates for every store: those before "today", the earliest local date of
 * now among the stores' zones, so that every day counted is over wherever the store is (a store in a zone already
 * a date ahead waits for the rest to finish the day). Read from store_days (one range of its primary key per
 * store, in one query); a store whose days are being recomputed after a change (store_days_stale) is computed from
 * its polls instead, by the same engine that writes store_days.
 */
export async function fleetPeriods(visible: VisibleStores): Promise<FleetPeriodsView> {
  const read = await readFleet(visible, async (client, { asOf, stores, clocks }) => {
    const now = asOf ?? Date.now() * 1000;
    const zones = new Set(stores.map((s) => s.zone));
    const today = Math.min(...[...(zones.size ? zones : [DEFAULT_TIME_ZONE])].map((zone) => localDay(clocks.get(zone), now)));
    const stale = stores.filter((s) => s.stale);
    const daysOf = await storedDays(
      client,
      stores.filter((s) => !s.stale),
      today,
    );
    for (const [storeId, days] of await daysFromPolls(client, stale, today, now, clocks)) daysOf.set(storeId, days);
    const perStore = stores.map((store) => ({ store, days: daysOf.get(store.storeId) ?? new Days() }));
    return { asOf, perStore, today, fromPolls: stale.length };
  });
  const { asOf, perStore, today } = read;
  const shown = ({ up, down }: { up: number; down: number }) => ({ uptimePercent: uptimePercent(up, down), downHours: hours(down) });

  const fleetPeriod = (range: readonly [number, number]): PeriodFigures => {
    const period = { up: 0, down: 0, storesCounted: 0, storesBelowFine: 0, storesBelowWarning: 0 };
    for (const { days } of perStore) {
      const { up, down } = days.figures(range);
      const health = healthOf(uptimePercent(up, down));
      period.up += up;
      period.down += down;
      if (health !== "none") period.storesCounted++;
      if (health === "warning" || health === "bad") period.storesBelowFine++;
      if (health === "bad") period.storesBelowWarning++;
    }
    const { up, down, ...counts } = period;
    return { ...datesOf(range), ...shown({ up, down }), upHours: hours(up), ...counts };
  };
  const datesOf = ([first, last]: readonly [number, number]) => ({ from: dateOf(today - last), to: dateOf(today - first) });

  const periods = Object.fromEntries(
    (Object.entries(PERIODS) as [PeriodName, readonly [number, number]][]).map(([name, range]) => [name, fleetPeriod(range)]),
  ) as FleetPeriodsView["periods"];
  const trend = Array.from({ length: TREND_WEEKS }, (_, w) => {
    const range = [7 * (TREND_WEEKS - 1 - w) + 1, 7 * (TREND_WEEKS - w)] as const;
    const { from, to, uptimePercent, downHours } = fleetPeriod(range);
    return { from, to, uptimePercent, downHours };
  });
  const storeRows = perStore.map(({ store, days }): StorePeriods & { downUs: number } => {
    const week = days.figures(PERIODS.week);
    return {
      storeId: store.storeId,
      name: store.name,
      timeZone: store.zone,
      state: store.now.state,
      week: shown(week),
      previousWeek: shown(days.figures(PERIODS.previousWeek)),
      days30: shown(days.figures(PERIODS.days30)),
      days90: shown(days.figures(PERIODS.days90)),
      daily: days.bars(),
      downUs: week.down,
    };
  });
  storeRows.sort((a, b) => b.downUs - a.downUs || (a.week.uptimePercent ?? 101) - (b.week.uptimePercent ?? 101) || byName(a, b));
  return {
    asOf: asOf === null ? null : new Date(Math.floor(asOf / 1000)).toISOString(),
    lastDay: dateOf(today - 1),
    periods,
    trend,
    stores: storeRows.map(({ downUs: _, ...row }) => row),
    storesReadFromPolls: read.fromPolls,
  };
}

/** One day of store_days packed by storedDays' query: the date (int4), up and down (float8) and polls (int4). */
const PACKED_DAY_BYTES = 24;

/**
 * The stores' last BAR_DAYS complete local days from store_days: one range of its primary key each, in one query.
 * Each store's days come packed into one bytea (a row per day costs node-postgres 4-5 times as much to parse).
 */
async function storedDays(client: pg.ClientBase, stores: FleetStore[], today: number): Promise<Map<string, Days>> {
  const days = new Map<string, Days>();
  if (stores.length === 0) return days;
  const { rows } = await client.query<{ store_id: string; days: Buffer | null }>(
    `SELECT k.store_id,
            (SELECT string_agg(int4send(day - date '1970-01-01') || float8send(up_us) || float8send(down_us) || int4send(polls), ''::bytea)
             FROM store_days d WHERE d.store_id = k.store_id AND d.day >= date '1970-01-01' + $2::int AND d.day < date '1970-01-01' + $3::int) AS days
     FROM unnest($1::text[]) AS k(store_id)`,
    [stores.map((s) => s.storeId), today - BAR_DAYS, today],
  );
  for (const { store_id, days: packed } of rows) {
    if (!packed) continue;
    const store = new Days();
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    for (let at = 0; at < packed.length; at += PACKED_DAY_BYTES)
      store.set(BAR_DAYS - (today - view.getInt32(at)), {
        up: view.getFloat64(at + 4),
        down: view.getFloat64(at + 12),
        polls: view.getInt32(at + 20),
      });
    days.set(store_id, store);
  }
  return days;
}

/**
 * The same days of stores whose store_days are being recomputed, from their polls (those of the days and the one
 * on either side), by dayRollups, which store_days is written with: only the days from the store's first poll's to
 * its last poll's, as store_days holds them.
 */
async function daysFromPolls(
  client: pg.ClientBase,
  stores: FleetStore[],
  today: number,
  now: number,
  clocks: ZoneClocks,
): Promise<Map<string, Days>> {
  const days = new Map<string, Days>();
  if (stores.length === 0) return days;
  const firstDay = today - BAR_DAYS;
  const { rows } = await client.query<{ store_id: string; polls: Buffer | null }>(
    `SELECT k.store_id, ${PACKED_POLLS_AROUND_SQL("k.store_id", fromEpochUs("k.lo"), fromEpochUs("k.hi"))} AS polls
     FROM unnest($1::text[], $2::int8[], $3::int8[]) AS k(store_id, lo, hi)`,
    [stores.map((s) => s.storeId), stores.map((s) => clocks.get(s.zone).instantOf(firstDay, 0)), stores.map(() => now)],
  );
  const pollsOf = new Map(rows.map((r) => [r.store_id, unpackPolls(r.polls)]));
  for (const s of stores) {
    const clock = clocks.get(s.zone);
    const first = Math.max(firstDay, localDay(clock, s.firstPoll));
    const last = Math.min(today - 1, localDay(clock, s.lastPoll));
    const store = new Days();
    for (const d of dayRollups({ timeZone: s.timeZone, hours: s.hours, polls: pollsOf.get(s.storeId) ?? [] }, first, last, clocks))
      store.set(d.epochDay - firstDay, d);
    days.set(s.storeId, store);
  }
  return days;
}
