-- Pushes of polls (the poll API) write side by side: they share the loads' turn (lib/feeds/load.ts), where loads,
-- replaces and retention take it alone. A push says so for its transaction (SET LOCAL storemon.alongside = 'on'),
-- and the trigger that keeps poll_stores then first locks the state of the stores its statement wrote, in store
-- order, so that the statement after it reads that state afresh: it sees what an earlier push of the same store
-- committed, and no later push changes it before this one commits. Polls are inserted in (store, instant) order, so
-- that two pushes of the same poll wait for each other in one order, and new stores' rows in store order. A store's
-- first polls pushed by two at once: the second finds the row made by the first, then locks and recounts the store;
-- that lock, taken out of store order, can deadlock with a third push, which the loader retries (lib/feeds/load.ts).

CREATE OR REPLACE FUNCTION "poll_stores_added"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
  backfilled TEXT[];
  firsts TIMESTAMPTZ[];
  lasts TIMESTAMPTZ[];
  raced TEXT[];
  raced_firsts TIMESTAMPTZ[];
  raced_lasts TIMESTAMPTZ[];
BEGIN
  IF current_setting('storemon.alongside', true) = 'on' THEN
    PERFORM 1 FROM "poll_stores" WHERE "store_id" IN (SELECT "store_id" FROM "added") ORDER BY "store_id" FOR UPDATE;
  END IF;
  WITH a AS (SELECT "store_id", "timestamp_utc" AS at, "status" = 'active' AS active FROM "added"),
  b AS (SELECT store_id, min(at) AS first_at, max(at) AS last_at, (array_agg(active ORDER BY at DESC))[1] AS last_active
        FROM a GROUP BY store_id),
  flip AS (SELECT a.store_id, max(a.at) AS at FROM a JOIN b USING (store_id) WHERE a.active <> b.last_active GROUP BY a.store_id),
  after_flip AS (SELECT a.store_id, min(a.at) AS at FROM a JOIN flip f USING (store_id) WHERE a.at > f.at GROUP BY a.store_id),
  batch AS (
    SELECT b.store_id, b.first_at, b.last_at, b.last_active,
           ps."store_id" IS NOT NULL AS known,
           ps."store_id" IS NULL OR b.first_at > ps."last_poll_at" AS appended,
           coalesce(ps."last_poll_at", b.first_at) AS stale_from,
           coalesce(ps."first_poll_at", b.first_at) AS first_poll_at,
           CASE WHEN flip.at IS NOT NULL THEN after_flip.at
                WHEN ps."last_active" <> b.last_active THEN b.first_at
                ELSE coalesce(ps."run_first_poll_at", b.first_at) END AS run_first_poll_at,
           CASE WHEN flip.at IS NOT NULL THEN flip.at
                WHEN ps."last_active" <> b.last_active THEN ps."last_poll_at"
                ELSE ps."run_after_poll_at" END AS run_after_poll_at
    FROM b LEFT JOIN "poll_stores" ps ON ps."store_id" = b.store_id
    LEFT JOIN flip ON flip.store_id = b.store_id LEFT JOIN after_flip ON after_flip.store_id = b.store_id),
  stale AS (
    INSERT INTO "store_days_stale" ("store_id", "from_at", "to_at")
    SELECT store_id, stale_from, last_at FROM batch WHERE appended),
  moved AS (
    UPDATE "poll_stores" ps SET
      "last_poll_at" = batch.last_at, "last_active" = batch.last_active,
      "run_first_poll_at" = batch.run_first_poll_at, "run_after_poll_at" = batch.run_after_poll_at
    FROM batch WHERE batch.appended AND batch.known AND ps."store_id" = batch.store_id),
  made AS (
    INSERT INTO "poll_stores" ("store_id", "first_poll_at", "last_poll_at", "last_active", "run_first_poll_at", "run_after_poll_at")
    SELECT store_id, first_poll_at, last_at, last_active, run_first_poll_at, run_after_poll_at FROM batch WHERE NOT known
    ORDER BY store_id
    ON CONFLICT ("store_id") DO NOTHING
    RETURNING "store_id")
  SELECT array_agg(store_id) FILTER (WHERE NOT appended), array_agg(first_at) FILTER (WHERE NOT appended),
         array_agg(last_at) FILTER (WHERE NOT appended),
         array_agg(store_id) FILTER (WHERE NOT known AND store_id NOT IN (SELECT store_id FROM made)),
         array_agg(first_at) FILTER (WHERE NOT known AND store_id NOT IN (SELECT store_id FROM made)),
         array_agg(last_at) FILTER (WHERE NOT known AND store_id NOT IN (SELECT store_id FROM made))
    INTO backfilled, firsts, lasts, raced, raced_firsts, raced_lasts
  FROM batch;

  IF backfilled IS NOT NULL THEN
    PERFORM "store_days_touched"(backfilled, firsts, lasts);
    PERFORM "poll_stores_recount"(backfilled);
  END IF;
  -- New stores whose first row another push made meanwhile (committed now): locked, then as a backfill.
  IF raced IS NOT NULL THEN
    PERFORM 1 FROM "poll_stores" WHERE "store_id" = ANY(raced) ORDER BY "store_id" FOR UPDATE;
    PERFORM "store_days_touched"(raced, raced_firsts, raced_lasts);
    PERFORM "poll_stores_recount"(raced);
  END IF;
  RETURN NULL;
END $$;
