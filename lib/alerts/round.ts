import crypto from "node:crypto";
import type pg from "pg";
import { fromEpochUs, toEpochUs } from "../db/packed-polls";
import { activeStores, evaluateIn, inEvaluation, type Evaluation } from "./evaluate";
import type { Rule } from "./rule";
import { rulesOfKind } from "./rules";

export interface Round extends Evaluation {
  /** Whether it evaluated every active store (the first round, other rules, a table emptied, the clock gone back). */
  full: boolean;
}

/**
 * The minute's round: opens and resolves exactly what evaluateStores(null) would at `at` (the clock by default),
 * looking only at the active stores whose answer can have changed since the round before: those a write changed
 * (alert_changes, kept by triggers) and those whose next check has come (alert_checks, an index on the instant).
 * Every active store on the first round, after a table the rounds depend on was emptied, when the rules (or the
 * environment's) changed, and when the clock went back. Each store it evaluates gets its next check (nextCheck).
 */
export async function evaluateRound(at?: number): Promise<Round> {
  return inEvaluation(at, async (client, now) => {
    const rules = await rulesOfKind("incidents");
    const fingerprint = rulesFingerprint(rules);
    const { rows: rounds } = await client.query<{ at: number | null; rules: string | null }>(
      `SELECT ${toEpochUs("evaluated_at")}::float8 AS at, rules FROM alert_round`,
    );
    const last = rounds[0];
    // Taken before any store is read: what a write committed after this changed waits for the next round.
    const { rows: changed } = await client.query<{ store_id: string | null }>("DELETE FROM alert_changes RETURNING store_id");
    const full = !last || last.at === null || last.rules !== fingerprint || now < last.at || changed.some((c) => c.store_id === null);
    let ids: string[];
    if (full) {
      await client.query("DELETE FROM alert_checks");
      ids = await activeStores(client, now);
    } else {
      const { rows: due } = await client.query<{ store_id: string }>(
        `SELECT store_id FROM alert_checks WHERE next_check_at <= ${fromEpochUs("$1")}`,
        [now],
      );
      const candidates = [...new Set([...changed, ...due].map((r) => r.store_id!))].sort();
      ids = await activeStores(client, now, candidates);
      // A store no longer watched is evaluated again only after a write (a poll) makes it active.
      const watched = new Set(ids);
      await client.query("DELETE FROM alert_checks WHERE store_id = ANY($1)", [candidates.filter((id) => !watched.has(id))]);
    }
    const { evaluation, checks } = await evaluateIn(client, ids, now, rules, true);
    await saveChecks(client, checks);
    await client.query(
      `INSERT INTO alert_round (evaluated_at, rules) VALUES (${fromEpochUs("$1")}, $2)
       ON CONFLICT (id) DO UPDATE SET evaluated_at = excluded.evaluated_at, rules = excluded.rules`,
      [now, fingerprint],
    );
    return { ...evaluation, full };
  });
}

/** What of the rules decides an evaluation: whom each covers, after how long, and its channels' names. */
function rulesFingerprint(rules: readonly Rule[]): string {
  const decisive = rules.map((r) => [
    r.id,
    r.ownerId,
    [...r.storeIds].sort(),
    r.afterMinutes,
    r.noDataMinutes,
    r.channels.map((c) => c.name),
  ]);
  return crypto.createHash("sha256").update(JSON.stringify(decisive)).digest("hex");
}

/** Keeps each store's next check (none for a store only a write can change), a microsecond early rather than late. */
async function saveChecks(client: pg.ClientBase, checks: Map<string, number | null>): Promise<void> {
  const timed = [...checks].filter((c): c is [string, number] => c[1] !== null);
  await client.query(
    `INSERT INTO alert_checks (store_id, next_check_at) SELECT c.store_id, ${fromEpochUs("c.at")} FROM unnest($1::text[], $2::int8[]) AS c(store_id, at)
     ON CONFLICT (store_id) DO UPDATE SET next_check_at = excluded.next_check_at`,
    [timed.map(([id]) => id), timed.map(([, at]) => Math.floor(at))],
  );
  const untimed = [...checks].filter(([, at]) => at === null).map(([id]) => id);
  if (untimed.length) await client.query("DELETE FROM alert_checks WHERE store_id = ANY($1)", [untimed]);
}
