import { isText, OWNER_SLUG } from "../text";
import { FEED_KINDS, type FeedKind } from "../api/views/feed-kinds";
import { parseDayOfWeek, parseStatus, parseStoreId, parseTimeOfDay, parseTimeZone, parsePollTimestamp, STORE_ID_EXPECTED } from "./values";

interface FeedColumn {
  /** The canonical column name, and the other names the published files use for it. */
  names: readonly string[];
  /** The value of a cell; null when it is invalid. */
  parse(raw: string): string | number | null;
  /** A column a file may leave out, or a cell it may leave empty: its value is then null. */
  optional?: true;
  /** What a valid value looks like, for error messages. */
  expected: string;
}

export interface FeedDefinition {
  kind: FeedKind;
  /** The file name `npm run db:load` looks for in a directory. */
  fileName: string;
  label: string;
  columns: readonly FeedColumn[];
}

const storeId: FeedColumn = { names: ["store_id"], parse: parseStoreId, expected: STORE_ID_EXPECTED };

/** Text shown to people (a store's name, its address): trimmed, 1 to `max` characters, no control characters. */
const text = (max: number) => (raw: string) => {
  const v = raw.trim();
  return v.length >= 1 && v.length <= max && isText(v) ? v : null;
};

export const FEEDS: Record<FeedKind, FeedDefinition> = {
  polls: {
    kind: "polls",
    fileName: "store_status.csv",
    label: "polls",
    columns: [
      storeId,
      {
        names: ["timestamp_utc"],
        parse: (raw) => parsePollTimestamp(raw),
        expected:
          "a UTC timestamp such as 2023-01-22 12:09:39.388884 UTC or ISO 8601, at most 6 fraction digits, from 1970 to one day after now",
      },
      { names: ["status"], parse: parseStatus, expected: "active or inactive" },
    ],
  },
  business_hours: {
    kind: "business_hours",
    fileName: "menu_hours.csv",
    label: "business hours",
    columns: [
      storeId,
      { names: ["day", "dayOfWeek", "day_of_week"], parse: parseDayOfWeek, expected: "a day of the week from 0 (Monday) to 6 (Sunday)" },
      { names: ["start_time_local"], parse: parseTimeOfDay, expected: "a time HH:MM:SS" },
      { names: ["end_time_local"], parse: parseTimeOfDay, expected: "a time HH:MM:SS" },
    ],
  },
  time_zones: {
    kind: "time_zones",
    fileName: "timezones.csv",
    label: "time zones",
    columns: [
      storeId,
      { names: ["timezone_str", "timezone", "time_zone"], parse: parseTimeZone, expected: "an IANA time zone such as America/Chicago" },
    ],
  },
  stores: {
    kind: "stores",
    fileName: "stores.csv",
    label: "store directory",
    columns: [
      storeId,
      { names: ["name"], parse: text(200), expected: "a name of 1 to 200 characters, without control characters" },
      {
        names: ["address"],
        parse: text(500),
        expected: "an address of at most 500 characters, without control characters",
        optional: true,
      },
      {
        names: ["owner"],
        parse: (raw) => (OWNER_SLUG.test(raw.trim().toLowerCase()) ? raw.trim().toLowerCase() : null),
        expected: "an owner's short name: lower-case letters, digits and dashes, at most 40",
        optional: true,
      },
    ],
  },
};

export function normaliseHeader(cells: readonly string[]): string[] {
  return cells.map((c, i) => (i === 0 ? c.replace(/^\uFEFF/, "") : c).trim().toLowerCase());
}

/** For each column of the feed, its position in the header, or the missing column's canonical name. */
export function locateColumns(def: FeedDefinition, header: readonly string[]): { positions: number[]; missing: string[] } {
  const normalised = normaliseHeader(header);
  const positions: number[] = [];
  const missing: string[] = [];
  for (const column of def.columns) {
    const at = normalised.findIndex((h) => column.names.some((n) => n.toLowerCase() === h));
    if (at < 0 && !column.optional) missing.push(column.names[0]!);
    positions.push(at);
  }
  return { positions, missing };
}

/** The feed whose columns the header holds, or null. */
export function detectFeedKind(header: readonly string[]): FeedKind | null {
  return FEED_KINDS.find((k) => locateColumns(FEEDS[k], header).missing.length === 0) ?? null;
}
