// The home's words for states, lengths of time and local dates.

export const STATE_LABEL = { down: "Down", no_data: "No data", up: "Up" } as const;

/** "45 min", "3 h 20 min", "2 d 4 h", "783 days": a length of time, for people. */
export function formatLength(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
  if (hours < 14 * 24) return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ""}`;
  return `${Math.round(hours / 24).toLocaleString("en-US")} days`;
}

const dateOf = (day: string) => new Date(`${day}T00:00:00Z`);
const monthOf = (d: Date) => d.toLocaleDateString("en-US", { month: "short", timeZone: "UTC" });

/** "2024-10-14" as "Oct 14": a local date, no zone to say. */
export const formatDay = (day: string) => `${monthOf(dateOf(day))} ${dateOf(day).getUTCDate()}`;

/** "2024-10-08" .. "2024-10-14" as "Oct 8–14, 2024" (or "Sep 30 – Oct 6, 2024"; without the year on request). */
export function formatDates(from: string, to: string, { year = true } = {}): string {
  const [a, b] = [dateOf(from), dateOf(to)];
  const end = year ? `, ${b.getUTCFullYear()}` : "";
  if (from.slice(0, 7) === to.slice(0, 7)) return `${monthOf(a)} ${a.getUTCDate()}–${b.getUTCDate()}${end}`;
  const start = `${formatDay(from)}${year && a.getUTCFullYear() !== b.getUTCFullYear() ? `, ${a.getUTCFullYear()}` : ""}`;
  return `${start} – ${formatDay(to)}${end}`;
}
