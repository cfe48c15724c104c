// Parsers for the values found in the feed files. Each returns the normalised value, or null when invalid.

import { isText } from "../text";

/** Longer ids are no store's (the published ones have 19 digits or 36 characters) and bloat every index. */
const STORE_ID_MAX = 128;
/** A spreadsheet runs a cell beginning with one of these as a formula, and store ids reach spreadsheets. */
const FORMULA_START = /^[=+\-@]/;
/** What a valid store id looks like, for error messages. */
export const STORE_ID_EXPECTED = `a store id of 1 to ${STORE_ID_MAX} characters, without control characters, not beginning with =, +, - or @`;

/** A store id (trimmed), in every feed and wherever a store is named. */
export function parseStoreId(raw: string): string | null {
  const v = raw.trim();
  return v.length >= 1 && v.length <= STORE_ID_MAX && isText(v) && !FORMULA_START.test(v) ? v : null;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The instants a timestamp may name: years 0001 to 9999 in UTC (PostgreSQL refuses year 0000 as input). */
const FIRST_INSTANT_MS = -62135596800000; // 0001-01-01T00:00:00Z
const LAST_SECOND_MS = 253402300799000; // 9999-12-31T23:59:59Z

/**
 * `2023-01-22 12:09:39.388884 UTC` (0 to 6 fraction digits) or ISO 8601 (`2023-01-22T12:09:39Z`, an offset,
 * or none: the column is UTC), naming an instant in years 0001-9999 UTC. Returns text PostgreSQL reads exactly,
 * with an explicit offset.
 */
export function parseTimestampUtc(raw: string): string | null {
  return parseInstant(raw)?.text ?? null;
}

/** The first instant a poll may name. */
const FIRST_POLL_MS = Date.UTC(1970, 0, 1);
/** How far past the server's clock a poll may be (clocks of pollers and servers differ a little). */
const POLL_CLOCK_SKEW_MS = 86_400_000;

/**
 * A poll's timestamp: as parseTimestampUtc, from 1970 up to one day after this server's clock. A poll from
 * the far future would become every later report's default "now".
 */
export function parsePollTimestamp(raw: string, nowMs = Date.now()): string | null {
  const parsed = parseInstant(raw);
  return parsed && parsed.ms >= FIRST_POLL_MS && parsed.ms <= nowMs + POLL_CLOCK_SKEW_MS ? parsed.text : null;
}

function parseInstant(raw: string): { text: string; ms: number } | null {
  const m = TIMESTAMP.exec(raw.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = m as unknown as string[];
  const year = Number(y),
    month = Number(mo),
    day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  if (fraction !== undefined && fraction.length > 6) return null;
  let offset = "+00",
    offsetMinutes = 0;
  if (zone && !/^(z|utc)$/i.test(zone)) {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    if (!z || Number(z[2]) > 14 || Number(z[3] ?? 0) > 59) return null;
    offset = `${z[1]}${z[2]}:${z[3] ?? "00"}`;
    offsetMinutes = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
  }
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0-99 as 1900-1999
  wall.setUTCHours(Number(h), Number(mi), Number(s));
  const instant = wall.getTime() - offsetMinutes * 60_000;
  if (instant < FIRST_INSTANT_MS || instant > LAST_SECOND_MS) return null;
  return { text: `${y}-${mo}-${d} ${h}:${mi}:${s}${fraction ? `.${fraction}` : ""}${offset}`, ms: instant };
}

export type PollStatus = "active" | "inactive";

export function parseStatus(raw: string): PollStatus | null {
  const v = raw.trim().toLowerCase();
  return v === "active" || v === "inactive" ? v : null;
}

/** 0 = Monday .. 6 = Sunday. */
export function parseDayOfWeek(raw: string): number | null {
  const v = raw.trim();
  return /^[0-6]$/.test(v) ? Number(v) : null;
}

/** `HH:MM:SS` or `H:MM:SS`, returned as `HH:MM:SS`. */
export function parseTimeOfDay(raw: string): string | null {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(raw.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 59) return null;
  return `${m[1]!.padStart(2, "0")}:${m[2]}:${m[3]}`;
}

const zoneValidity = new Map<string, boolean>();

/** An IANA zone name the runtime's time-zone database knows (`America/New_York`, `UTC`, `Etc/GMT+5`). */
export function parseTimeZone(raw: string): string | null {
  const v = raw.trim();
  let valid = zoneValidity.get(v);
  if (valid === undefined) {
    valid = /^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(v);
    if (valid) {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: v });
      } catch {
        valid = false;
      }
    }
    zoneValidity.set(v, valid);
  }
  return valid ? v : null;
}
