import { formatInTimeZone } from "date-fns-tz";
import { storeNotFound, visibleStores, type Scope } from "../auth/scope";
import { pool } from "../db/pool";
import { prisma } from "../db/prisma";
import { AppError } from "../errors";
import { DEFAULT_TIME_ZONE, ZoneClock } from "../uptime";
import type { MuteInput, MuteView } from "../api/views/alerts";
import { isoUtc } from "./incidents";
import { muteEnd, nextDayOpening } from "./mute-end";

// Stores muted for a while (store_mutes, one row per store): their incidents open and resolve as ever, but no
// notification of them is sent until the mute ends, which is decided when each is due (lib/alerts/deliver.ts).
// A mute ends by itself: an ended one is only compared with now, never cleared by a job.

/** The 404 of a store unknown, or outside `scope`: a store is one in the directory or with polls. */
async function checkStoreVisible(scope: Scope, storeId: string): Promise<void> {
  const { rows } = await pool().query(
    `SELECT 1 FROM (SELECT store_id FROM stores UNION ALL SELECT store_id FROM poll_stores) s
     WHERE store_id = $1 AND ${visibleStores(scope)} LIMIT 1`,
    [storeId],
  );
  if (rows.length === 0) throw storeNotFound(storeId);
}

/** The mutes in force of the stores of `scope` (or of one store), the soonest to end first. */
export async function activeMutes(scope: Scope, storeId?: string): Promise<MuteView[]> {
  const { rows } = await pool().query<MuteView>(
    `SELECT m.store_id AS "storeId", s.name, coalesce(z.timezone_str, $2) AS "timeZone", m.muted_by AS by,
            ${isoUtc("m.muted_at")} AS at, ${isoUtc("m.muted_until")} AS until
     FROM store_mutes m LEFT JOIN stores s USING (store_id) LEFT JOIN store_timezones z USING (store_id)
     WHERE m.muted_until > now() AND ${visibleStores(scope, "m.store_id")} AND ($1::text IS NULL OR m.store_id = $1)
     ORDER BY m.muted_until, m.store_id`,
    [storeId ?? null, DEFAULT_TIME_ZONE],
  );
  return rows;
}

/** The store's next day's opening, by its hours and zone as loaded. */
async function storeNextDayOpening(storeId: string, now: Date): Promise<Date> {
  const { rows } = await pool().query<{ dayOfWeek: number; start: number; end: number; zone: string | null }>(
    `SELECT h.day_of_week AS "dayOfWeek", extract(epoch FROM h.start_time_local)::int AS start,
            extract(epoch FROM h.end_time_local)::int AS end, z.timezone_str AS zone
     FROM (SELECT $1::text AS store_id) s LEFT JOIN business_hours h USING (store_id) LEFT JOIN store_timezones z USING (store_id)`,
    [storeId],
  );
  const hours = rows.filter((r) => r.dayOfWeek !== null);
  return nextDayOpening(now, hours, new ZoneClock(rows[0]?.zone ?? DEFAULT_TIME_ZONE));
}

/**
 * Mutes a store of `scope` (a 404 for any other) until the end asked for, recording who; muting it again replaces
 * the mute. An end that has passed, or more than 30 days away, is a 400 naming the field and its value.
 */
export async function muteStore(scope: Scope, actor: string, storeId: string, input: MuteInput): Promise<MuteView> {
  await checkStoreVisible(scope, storeId);
  const now = new Date();
  const opening = input.for === "next_opening" ? await storeNextDayOpening(storeId, now) : now;
  const end = muteEnd(input, now, () => opening);
  if ("problem" in end) {
    const field = input.until !== undefined ? `until ${JSON.stringify(input.until)}` : `for ${JSON.stringify(input.for)}`;
    throw new AppError("invalid_body", 400, `field ${field}: ${end.problem}`);
  }
  const row = { mutedBy: actor, mutedAt: now, mutedUntil: end.until };
  await prisma().storeMute.upsert({ where: { storeId }, create: { storeId, ...row }, update: row });
  return (await activeMutes(scope, storeId))[0]!;
}

/** Ends a store's mute now (nothing to end is fine); a store outside `scope` is a 404. */
export async function unmuteStore(scope: Scope, storeId: string): Promise<void> {
  await checkStoreVisible(scope, storeId);
  await prisma().storeMute.deleteMany({ where: { storeId } });
}

/** Why a notification of a store is not sent now: "muted by ana@x until Wed 9 Dec 15:02 CST", or null. */
export async function muteReason(storeId: string, zone: string): Promise<string | null> {
  const mute = await prisma().storeMute.findFirst({ where: { storeId, mutedUntil: { gt: new Date() } } });
  return mute ? `muted by ${mute.mutedBy} until ${formatInTimeZone(mute.mutedUntil, zone, "EEE d MMM HH:mm zzz")}` : null;
}
