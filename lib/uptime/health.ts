/**
 * Where a store's uptime within business hours stops being fine (percent, inclusive): the one place the
 * dashboard's colours come from.
 */
export const HEALTH_THRESHOLDS = { fine: 99, warning: 95 } as const;

/** fine: >= 99%; warning: >= 95%; bad: below; none: no business hours in the window (nothing to measure). */
export type Health = "fine" | "warning" | "bad" | "none";

export function healthOf(percent: number | null): Health {
  if (percent === null) return "none";
  return percent >= HEALTH_THRESHOLDS.fine ? "fine" : percent >= HEALTH_THRESHOLDS.warning ? "warning" : "bad";
}

/** Up time as a percentage of business time (up + down), to one decimal; null with no business time. */
export function uptimePercent(up: number, down: number): number | null {
  return up + down > 0 ? Math.round((1000 * up) / (up + down)) / 10 : null;
}
