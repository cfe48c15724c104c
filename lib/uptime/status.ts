/** A poll as the engine sees it: the instant in microseconds since the epoch, and whether the store was up. */
export interface Poll {
  at: number;
  active: boolean;
}

/** A span of time whose status is that of one poll. */
export interface StatusSpan {
  start: number;
  end: number;
  active: boolean;
}

/**
 * The status of every instant, by nearest poll: each poll owns the time from the midpoint with the previous
 * poll to the midpoint with the next; the first poll owns everything before it and the last everything after.
 * `polls` must be sorted by time. Midpoints of microsecond instants are exact in doubles (halves are kept).
 */
export function nearestPollSpans(polls: readonly Poll[]): StatusSpan[] {
  const spans: StatusSpan[] = [];
  for (let i = 0; i < polls.length; i++) {
    const poll = polls[i]!;
    const prev = polls[i - 1];
    const next = polls[i + 1];
    spans.push({
      start: prev ? (prev.at + poll.at) / 2 : -Infinity,
      end: next ? (poll.at + next.at) / 2 : Infinity,
      active: poll.active,
    });
  }
  return spans;
}
