/** A half-open span of time [start, end), in microseconds since the epoch. */
export interface Interval {
  start: number;
  end: number;
}

/** Sorts and merges overlapping or touching intervals, so that no instant is counted twice. */
export function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const i of sorted) {
    const last = merged[merged.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else merged.push({ start: i.start, end: i.end });
  }
  return merged;
}

/** The parts of sorted, disjoint `intervals` that lie inside [from, to). */
export function clipIntervals(intervals: Interval[], from: number, to: number): Interval[] {
  const out: Interval[] = [];
  for (const i of intervals) {
    const start = Math.max(i.start, from);
    const end = Math.min(i.end, to);
    if (end > start) out.push({ start, end });
  }
  return out;
}
