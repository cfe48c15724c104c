import type { HoursRow, Poll } from "../uptime";

// How store data crosses from PostgreSQL to the engine in bulk: a store's polls packed into one bytea, its hours into
// one string, so that a batch of stores is one row each (parsing a row per poll dominated a report's time).

/** SQL for the timestamptz of an int8 parameter of epoch microseconds: exact, unlike to_timestamp(float). */
export const fromEpochUs = (param: string) => `(timestamptz 'epoch' + ${param}::int8 * interval '1 microsecond')`;
/** SQL for the epoch microseconds of a timestamptz expression. */
export const toEpochUs = (expr: string) => `(extract(epoch FROM ${expr}) * 1000000)::int8`;

/**
 * SQL for one poll of alias `p` packed in 9 bytes, to be string_agg'ed in time order: PostgreSQL's own binary
 * timestamp (int8 microseconds since 2000-01-01) and 1 if active.
 */
export const PACKED_POLL_SQL = (p: string) =>
  `timestamptz_send(${p}.timestamp_utc) || CASE WHEN ${p}.status = 'active' THEN '\\x01'::bytea ELSE '\\x00'::bytea END`;

/**
 * SQL for the polls of the store `storeId` (an SQL expression) from `lo` to `hi` (timestamptz expressions), with the
 * last one before `lo` and the first one after `hi`, packed by PACKED_POLL_SQL in time order: every poll the nearest-
 * poll rule needs to count the time between lo and hi.
 */
export const PACKED_POLLS_AROUND_SQL = (storeId: string, lo: string, hi: string) =>
  `(SELECT string_agg(${PACKED_POLL_SQL("p")}, ''::bytea ORDER BY p.timestamp_utc) FROM (
     (SELECT timestamp_utc, status FROM polls WHERE store_id = ${storeId} AND timestamp_utc < ${lo}
      ORDER BY timestamp_utc DESC LIMIT 1)
     UNION ALL
     (SELECT timestamp_utc, status FROM polls WHERE store_id = ${storeId} AND timestamp_utc >= ${lo} AND timestamp_utc <= ${hi})
     UNION ALL
     (SELECT timestamp_utc, status FROM polls WHERE store_id = ${storeId} AND timestamp_utc > ${hi}
      ORDER BY timestamp_utc LIMIT 1)
   ) p)`;

/** SQL for the business hours of the store `storeId` (an SQL expression), "day start end" triples in seconds. */
export const PACKED_HOURS_SQL = (storeId: string) =>
  `(SELECT string_agg(h.day_of_week || ' ' || extract(epoch FROM h.start_time_local)::int || ' ' || extract(epoch FROM h.end_time_local)::int, ' ')
    FROM business_hours h WHERE h.store_id = ${storeId})`;

/** Hours packed by PACKED_HOURS_SQL's query: "day start end" triples, seconds since local midnight. */
export function unpackHours(packed: string | null): HoursRow[] {
  if (!packed) return [];
  const n = packed.split(" ").map(Number);
  const hours: HoursRow[] = [];
  for (let i = 0; i < n.length; i += 3) hours.push({ dayOfWeek: n[i]!, start: n[i + 1]!, end: n[i + 2]! });
  return hours;
}

/** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01. */
const PG_EPOCH_US = 946_684_800_000_000;

/**
 * Polls packed by PACKED_POLL_SQL, string_agg'ed in time order. They arrive in time order from the index; should a plan ever
 * deliver them otherwise, they are sorted here. Values stay below 2^53, so doubles hold them exactly.
 */
export function unpackPolls(packed: Buffer | null): Poll[] {
  if (!packed) return [];
  const polls: Poll[] = new Array(packed.length / 9);
  let sorted = true;
  for (let i = 0; i < polls.length; i++) {
    const at = packed.readInt32BE(i * 9) * 4294967296 + packed.readUInt32BE(i * 9 + 4) + PG_EPOCH_US;
    polls[i] = { at, active: packed[i * 9 + 8] === 1 };
    if (i > 0 && at < polls[i - 1]!.at) sorted = false;
  }
  return sorted ? polls : polls.sort((a, b) => a.at - b.at);
}
