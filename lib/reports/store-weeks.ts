import type pg from "pg";
import {
  countRolledWeek,
  countWeek,
  DEFAULT_TIME_ZONE,
  rawSegments,
  rollableDays,
  storeFreshness,
  sumRolledDays,
  utcEpochDay,
  WINDOWS,
  type Poll,
  type RolledStore,
  type StoreData,
  type WeekFigures,
  type ZoneClocks,
} from "../uptime";
import { errorMessage } from "../log";
import { fromEpochUs, PACKED_HOURS_SQL, toEpochUs, unpackHours, unpackPolls } from "../db/packed-polls";
import { lastPollBefore, loadStoreData, packedPolls, pollsWhere, STORE_ZONE } from "./store-data";

/**
 * A store's week as a report reads it: from its daily roll-ups (store_days) and the raw polls around them, or,
 * when its roll-ups are not to be trusted for this report (not yet refreshed, or polls after an as-of in the
 * past), from every poll of the week as loadStoreData reads them.
 */
export type StoreWeek = { storeId: string; rolled: RolledStore } | { storeId: string; polls: StoreData };

/** A roll-up as read: the local date (days since 1970-01-01) and its microseconds up, down and covered. */
interface DayFigures {
  epochDay: number;
  up: number;
  down: number;
  covered: number;
}

/** Bytes per day packed by PACKED_DAYS: int4 date, three float8. */
const DAY_BYTES = 28;

/** SQL of the store `s.store_id`'s roll-ups of dates $2..$3 (days since 1970-01-01), packed (see unpackDays). */
const PACKED_DAYS = `(SELECT string_agg(int4send(d.day - date '1970-01-01') || float8send(d.up_us) || float8send(d.down_us) || float8send(d.covered_us), ''::bytea)
        FROM store_days d WHERE d.store_id = s.store_id AND d.day BETWEEN date '1970-01-01' + $2::int AND date '1970-01-01' + $3::int)`;

function unpackDays(packed: Buffer | null): DayFigures[] {
  const days: DayFigures[] = [];
  for (let i = 0; packed && i < packed.length; i += DAY_BYTES)
    days.push({
      epochDay: packed.readInt32BE(i),
      up: packed.readDoubleBE(i + 4),
      down: packed.readDoubleBE(i + 12),
      covered: packed.readDoubleBE(i + 20),
    });
  return days;
}

/**
 * The weeks of `storeIds` for a report ending at `nowUs`, in two queries: first each store's zone, hours, last
 * poll, whether its roll-ups wait for a refresh, and its roll-ups of the dates that can lie in the week (a local
 * date is at most a day from the UTC date); then, for the stores whose roll-ups serve, the raw polls of the
 * head and the tail (rawSegments) with their neighbours, through the primary key. Stores whose roll-ups do not
 * serve (see StoreWeek) are read by loadStoreData.
 */
export async function loadStoreWeeks(client: pg.ClientBase, storeIds: string[], nowUs: number, clocks: ZoneClocks): Promise<StoreWeek[]> {
  const weekStart = nowUs - WINDOWS.week;
  const { rows } = await client.query<{
    store_id: string;
    zone: string | null;
    hours: string | null;
    polled: number[] | null;
    stale: boolean;
    days: Buffer | null;
  }>(
    `SELECT s.store_id, ${STORE_ZONE} AS zone, ${PACKED_HOURS_SQL("s.store_id")} AS hours,
       (SELECT ARRAY[${toEpochUs("ps.first_poll_at")}, ${toEpochUs("ps.last_poll_at")}] FROM poll_stores ps WHERE ps.store_id = s.store_id) AS polled,
       EXISTS (SELECT 1 FROM store_days_stale x WHERE x.store_id = s.store_id) AS stale,
       ${PACKED_DAYS} AS days
     FROM unnest($1::text[]) AS s(store_id)`,
    [storeIds, utcEpochDay(weekStart) - 1, utcEpochDay(nowUs) + 1],
  );
  const rolled = new Map<string, RolledStore>();
  const firstPolls = new Map<string, number>();
  const fromPolls: string[] = [];
  for (const r of rows) {
    const [firstPoll, lastPoll] = r.polled?.map(Number) ?? [];
    if (r.stale || lastPoll === undefined || lastPoll > nowUs) {
      fromPolls.push(r.store_id);
      continue;
    }
    firstPolls.set(r.store_id, firstPoll!);
    const clock = clocks.get(r.zone ?? DEFAULT_TIME_ZONE);
    const days = unpackDays(r.days);
    const held =
      days.length > 0 ? { firstDay: Math.min(...days.map((d) => d.epochDay)), lastDay: Math.max(...days.map((d) => d.epochDay)) } : null;
    let sums;
    try {
      sums = sumRolledDays(days, rollableDays(clock, nowUs, lastPoll, held), clock, nowUs);
    } catch (e) {
      throw new Error(`store ${r.store_id}: ${errorMessage(e)}`);
    }
    rolled.set(r.store_id, { timeZone: r.zone, hours: unpackHours(r.hours), rolled: sums, head: [], tail: [] });
  }
  const [raw, fromRawPolls] = await Promise.all([
    readSegments(client, rolled, firstPolls, nowUs),
    fromPolls.length > 0 ? loadStoreData(client, fromPolls, weekStart, nowUs) : [],
  ]);
  for (const [storeId, { head, tail }] of raw) Object.assign(rolled.get(storeId)!, { head, tail });
  const byStore = new Map<string, StoreWeek>(fromRawPolls.map((polls) => [polls.storeId, { storeId: polls.storeId, polls }]));
  for (const [storeId, week] of rolled) byStore.set(storeId, { storeId, rolled: week });
  return storeIds.map((storeId) => byStore.get(storeId)!);
}

/**
 * How far from a segment's end its neighbour is looked for first. Polls come about once an hour; a nearest poll
 * within this is found reading a poll or two, where a wider window read in full could take hundreds: the planner,
 * its rows estimated on per-store bounds, sorts a window's polls rather than read the months' indexes in order.
 */
const PROBE_NEAR = "interval '2 hours'";

/**
 * SQL of the last poll of the store `s.store_id` before `at`: within PROBE_NEAR, else as lastPollBefore looks for
 * it; not looked for at all unless `polledBefore` (SQL) holds, the store's first poll being before `at`.
 */
const pollBefore = (at: string, polledBefore: string) =>
  `(SELECT timestamp_utc, status FROM (${pollsWhere(`timestamp_utc < ${at} AND timestamp_utc >= ${at} - ${PROBE_NEAR}`, " DESC LIMIT 1")}
     UNION ALL ${lastPollBefore(`${at} - ${PROBE_NEAR}`)}) nearest WHERE ${polledBefore} LIMIT 1)`;

/** SQL of the first poll of the store `s.store_id` at or after `at` and at or before `until`: within PROBE_NEAR first. */
const pollFrom = (at: string, until: string) =>
  `(SELECT timestamp_utc, status FROM (${pollsWhere(`timestamp_utc >= ${at} AND timestamp_utc < ${at} + ${PROBE_NEAR} AND timestamp_utc <= ${until}`, " LIMIT 1")}
     UNION ALL ${pollsWhere(`timestamp_utc >= ${at} + ${PROBE_NEAR} AND timestamp_utc <= ${until}`, " LIMIT 1")}) nearest LIMIT 1)`;

/**
 * The raw polls of each store's head and tail: the last poll before the segment, every poll in it and, for the
 * head, the first poll at or after its end (polls after now are never read). A head is empty when the rolled
 * days start the week (then nothing is read for it).
 */
async function readSegments(client: pg.ClientBase, stores: Map<string, RolledStore>, firstPolls: Map<string, number>, nowUs: number) {
  const segments = new Map<string, { head: Poll[]; tail: Poll[] }>();
  if (stores.size === 0) return segments;
  const ids: string[] = [];
  const headEnds: number[] = [];
  const tailStarts: number[] = [];
  for (const [storeId, { rolled }] of stores) {
    const { head, tail } = rawSegments(nowUs, rolled);
    ids.push(storeId);
    headEnds.push(head.end);
    tailStarts.push(tail.start);
  }
  const first = [...stores.keys()].map((storeId) => firstPolls.get(storeId)!);
  const weekStart = fromEpochUs("$4");
  const now = fromEpochUs("$5");
  const headEnd = fromEpochUs("s.head_end");
  const tailStart = fromEpochUs("s.tail_start");
  const { rows } = await client.query<{ store_id: string; head: Buffer | null; tail: Buffer | null }>(
    `SELECT s.store_id,
       CASE WHEN s.head_end > $4::int8 THEN ${packedPolls(
         pollBefore(weekStart, "s.first_poll < $4::int8"),
         pollsWhere(`timestamp_utc >= ${weekStart} AND timestamp_utc < ${headEnd}`),
         pollFrom(headEnd, now),
       )} END AS head,
       ${packedPolls(pollBefore(tailStart, "s.first_poll < s.tail_start"), pollsWhere(`timestamp_utc >= ${tailStart} AND timestamp_utc <= ${now}`))} AS tail
     FROM unnest($1::text[], $2::int8[], $3::int8[], $6::int8[]) AS s(store_id, head_end, tail_start, first_poll)`,
    [ids, headEnds, tailStarts, nowUs - WINDOWS.week, nowUs, first],
  );
  for (const r of rows) segments.set(r.store_id, { head: unpackPolls(r.head), tail: unpackPolls(r.tail) });
  return segments;
}

/** A store's durations and freshness at `now`, from either kind of week. Null when it has no poll at or before now. */
export function storeWeekFigures(week: StoreWeek, now: number, clocks: ZoneClocks): WeekFigures | null {
  if ("rolled" in week) return countRolledWeek(week.rolled, now, clocks);
  const counted = countWeek(week.polls, now, clocks);
  return counted && { durations: counted.durations, freshness: storeFreshness(week.polls.polls, now) };
}
