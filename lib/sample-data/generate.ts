import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";

export interface GenerateOptions {
  stores: number;
  days: number;
  seed?: number;
  /** The instant the generated history ends at (the newest poll is shortly before it). */
  end?: Date;
}

export const DEFAULT_END = new Date("2024-10-14T23:00:00Z");

/** mulberry32: a small, fast, seedable generator, so the same options always give the same files. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// US zones dominate, as in the published data; the rest cover half- and quarter-hour offsets,
// southern-hemisphere daylight saving, zones without daylight saving and midnight transitions.
const ZONES: [string, number][] = [
  ["America/New_York", 30],
  ["America/Chicago", 22],
  ["America/Los_Angeles", 16],
  ["America/Denver", 6],
  ["America/Phoenix", 3],
  ["America/Boise", 2],
  ["Pacific/Honolulu", 2],
  ["Asia/Kolkata", 4],
  ["Australia/Sydney", 4],
  ["Australia/Adelaide", 3],
  ["Asia/Kathmandu", 2],
  ["Europe/London", 3],
  ["Asia/Beirut", 2],
  ["America/Santiago", 1],
];

type Window = [string, string];
// Weekly patterns: each is a day's list of windows; the generator also closes some days.
const DAY_PATTERNS: Window[][] = [
  [["11:00:00", "22:00:00"]],
  [
    ["10:30:00", "14:30:00"],
    ["17:00:00", "22:30:00"],
  ],
  [
    ["07:00:00", "11:00:00"],
    ["11:30:00", "15:00:00"],
    ["17:30:00", "23:00:00"],
  ],
  [["18:00:00", "02:00:00"]], // past midnight
  [["00:00:00", "23:59:59"]], // the published files' "all day"
  [
    ["09:00:00", "21:00:00"],
    ["20:00:00", "23:30:00"],
  ], // overlapping rows
  [["6:00:00", "14:00:00"]],
  [["16:00:00", "16:00:00"]], // start == end: 24 hours from 16:00
];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function weighted(rand: () => number, items: [string, number][]): string {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [item, w] of items) if ((r -= w) < 0) return item;
  return items[0]![0];
}

function uuid(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `2023-01-22 12:09:39.388884 UTC`, with trailing zeros of the fraction dropped as the published files do. */
function formatTimestamp(ms: number, micros: number): string {
  const iso = new Date(ms).toISOString(); // 2023-01-22T12:09:39.388Z
  const fraction = `${iso.slice(20, 23)}${String(micros).padStart(3, "0")}`.replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ""} UTC`;
}

class LineWriter {
  private buffer = "";
  private readonly stream: fs.WriteStream;
  constructor(file: string) {
    this.stream = fs.createWriteStream(file);
  }
  async line(text: string) {
    this.buffer += text + "\n";
    if (this.buffer.length > 1 << 16) {
      const ok = this.stream.write(this.buffer);
      this.buffer = "";
      if (!ok) await once(this.stream, "drain");
    }
  }
  async close() {
    this.stream.end(this.buffer);
    await once(this.stream, "finish");
  }
}

export interface GeneratedCounts {
  stores: number;
  polls: number;
  hoursRows: number;
  zoneRows: number;
}

const NAME_FIRST = ["Blue", "Golden", "Little", "Corner", "Harbor", "Sunny", "Maple", "Urban", "Old Town", "Riverside"];
const NAME_SECOND = ["Fern", "Oak", "Lantern", "Spoon", "Kettle", "Garden", "Bridge", "Table", "Market", "Grill"];

/** The sample name of the i-th store: "Blue Fern Diner #1", "Golden Fern Diner #2", ... */
export function storeName(i: number): string {
  return `${NAME_FIRST[i % NAME_FIRST.length]} ${NAME_SECOND[Math.floor(i / NAME_FIRST.length) % NAME_SECOND.length]} Diner #${i + 1}`;
}

/**
 * Writes store_status.csv, menu_hours.csv, timezones.csv and stores.csv (the directory) into `outDir` in the
 * published formats:
 * hourly polls with jitter, missed polls, multi-hour outages and flapping; several windows a day, windows past
 * midnight, closed days, stores open 24x7 (no hours) and stores without a time zone (America/Chicago).
 */
export async function generateFeeds(options: GenerateOptions, outDir: string): Promise<GeneratedCounts> {
  const rand = random(options.seed ?? 1);
  const end = (options.end ?? DEFAULT_END).getTime();
  const start = end - options.days * 86_400_000;
  fs.mkdirSync(outDir, { recursive: true });

  const stores = Array.from({ length: options.stores }, () => ({
    id: uuid(rand),
    offsetMs: Math.floor(rand() * 3_600_000), // each store is polled at its own minute of the hour
    reliability: rand() < 0.15 ? 0.6 + rand() * 0.3 : 0.97 + rand() * 0.03,
    outageUntil: 0,
  }));

  const zones = new LineWriter(path.join(outDir, "timezones.csv"));
  await zones.line("store_id,timezone_str");
  let zoneRows = 0;
  for (const s of stores) {
    if (rand() < 0.08) continue; // no zone row: America/Chicago applies
    await zones.line(`${s.id},${weighted(rand, ZONES)}`);
    zoneRows++;
  }
  await zones.close();

  const hours = new LineWriter(path.join(outDir, "menu_hours.csv"));
  await hours.line("store_id,dayOfWeek,start_time_local,end_time_local");
  let hoursRows = 0;
  for (const s of stores) {
    if (rand() < 0.1) continue; // no hours: open 24x7
    const usual = pick(rand, DAY_PATTERNS);
    const closedDay = rand() < 0.3 ? Math.floor(rand() * 7) : -1;
    for (let day = 0; day < 7; day++) {
      if (day === closedDay) continue;
      const windows = rand() < 0.15 ? pick(rand, DAY_PATTERNS) : usual;
      for (const [from, to] of windows) {
        await hours.line(`${s.id},${day},${from},${to}`);
        hoursRows++;
      }
    }
  }
  await hours.close();

  const polls = new LineWriter(path.join(outDir, "store_status.csv"));
  await polls.line("store_id,status,timestamp_utc");
  let pollCount = 0;
  for (let hour = start; hour < end; hour += 3_600_000) {
    for (const s of stores) {
      if (rand() < 0.03) continue; // a missed poll
      const jitter = Math.floor((rand() - 0.5) * 20 * 60_000);
      const at = hour + s.offsetMs + jitter;
      if (at < start || at >= end) continue;
      if (s.outageUntil <= at && rand() < 0.012) s.outageUntil = at + (1 + Math.floor(rand() * 8)) * 3_600_000;
      const active = at >= s.outageUntil && rand() < s.reliability;
      await polls.line(`${s.id},${active ? "active" : "inactive"},${formatTimestamp(at, Math.floor(rand() * 1000))}`);
      pollCount++;
    }
  }
  await polls.close();

  // Names come from each store's place in the list, not from the random stream, so the other files are the
  // same with or without them.
  const directory = new LineWriter(path.join(outDir, "stores.csv"));
  await directory.line("store_id,name,address");
  for (const [i, s] of stores.entries()) await directory.line(`${s.id},${storeName(i)},"${100 + i} Main Street, Springfield"`);
  await directory.close();
  return { stores: stores.length, polls: pollCount, hoursRows, zoneRows };
}
