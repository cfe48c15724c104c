import crypto from "node:crypto";
import type pg from "pg";
import { fromEpochUs, toEpochUs } from "../db/packed-polls";
import { activeStoreSql, evaluateIn, inEvaluation, type Evaluation } from "./evaluate";
import type { Rule } from "./rule";
import { rulesOfKind } from "./rules";

export interface Round extends Evaluation {
  /** Whether it evaluated every active store (the first round, other rules, a table emptied, the clock gone back). */
  full: boolean;
}

/** Stores evaluated at a time: a round's memory is a chunk's, however many stores are due (a million, after a load). */
export const ROUND_CHUNK = 10_000;

/**
 * The minute's round: opens and resolves exactly what evaluateStores(null) would at `at` (the clock by default),
 * looking only at the active stores whose answer can have changed since the round before: those a write changed
 * (alert_changes, kept by triggers) and those whose next check has come (alert_checks, an index on the instant).
 * Every active store on the first round, after a table the rounds depend on was emptied, when the rules (or the
 * environment's) changed, and when the clock went back. Each store it evaluates gets its next check (nextCheck).
 * The stores are chosen in SQL and read through a cursor, `chunk` at a time.
 */
export async function evaluateRound(at?: number, chunk = ROUND_CHUNK): Promise<Round> {
  return inEvaluation(at, async (client, now) => {
    const rules = await rulesOfKind("incidents");
    const fingerprint = rulesFingerprint(rules);
    const { rows: rounds } = await client.query<{ at: number | null; rules: string | null }>(
      `SELECT ${toEpochUs("evaluated_at")}::float8 AS at, rules FROM alert_round`,
    );
    const last = rounds[0];
    // Taken before any store is read: what a write committed after this changed waits for the next round. Kept in a
    // table of the transaction's own: after a load, every store has a row or more.
    await client.query(`CREATE TEMP TABLE round_changes (store_id TEXT COLLATE "C") ON COMMIT DROP`);
    await client.query("WITH taken AS (DELETE FROM alert_changes RETURNING store_id) INSERT INTO round_changes SELECT store_id FROM taken");
    const { rows: emptied } = await client.query<{ any: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM round_changes WHERE store_id IS NULL) AS any",
    );
    const full = !last || last.at === null || last.rules !== fingerprint || now < last.at || emptied[0]!.any;
    const active = activeStoreSql(now);
    let stores: string;
    if (full) {
      await client.query("DELETE FROM alert_checks");
      stores = `SELECT store_id FROM poll_stores WHERE last_poll_at >= ${active.pollSince}
                UNION SELECT store_id FROM incidents WHERE resolved_at IS NULL OR resolved_at >= ${active.incidentSince}`;
    } else {
      const candidates = `SELECT store_id FROM round_changes WHERE store_id IS NOT NULL
                          UNION SELECT store_id FROM alert_checks WHERE next_check_at <= ${fromEpochUs(String(now))}`;
      // A store no longer watched is evaluated again only after a write (a poll) makes it active.
      await client.query(`DELETE FROM alert_checks a WHERE a.store_id IN (${candidates}) AND NOT ${active.is("a.store_id")}`);
      stores = `SELECT c.store_id FROM (${candidates}) c WHERE ${active.is("c.store_id")}`;
    }
    await client.query(`DECLARE round_stores NO SCROLL CURSOR FOR ${stores} ORDER BY 1`);
    const round: Round = { stores: 0, opened: 0, resolved: 0, full };
    for (;;) {
      const { rows } = await client.query<{ store_id: string }>(`FETCH ${chunk} FROM round_stores`);
      if (rows.length === 0) break;
      const { evaluation, checks } = await evaluateIn(
        client,
        rows.map((r) => r.store_id),
        now,
        rules,
        true,
      );
      await saveChecks(client, checks);
      round.stores += evaluation.stores;
      round.opened += evaluation.opened;
      round.resolved += evaluation.resolved;
    }
    await client.query("CLOSE round_stores");
    await client.query(
      `INSERT INTO alert_round (evaluated_at, rules) VALUES (${fromEpochUs("$1")}, $2)
       ON CONFLICT (id) DO UPDATE SET evaluated_at = excluded.evaluated_at, rules = excluded.rules`,
      [now, fingerprint],
    );
    return round;
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
