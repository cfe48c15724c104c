-- The fleet model, kept where polls are written: each store's state (poll_stores) and its local days (store_days).
--
-- poll_stores gains what is down or silent now needs: the last poll and its status, and the store's current run
-- by the report's nearest-poll rule: run_first_poll_at is the first poll of the run of polls with the last one's
-- status, run_after_poll_at the last poll of the other status before it (null when every poll has had this status);
-- the run began halfway between the two. Kept by the same triggers as first_poll_at: polls appended after a store's
-- last poll move its run in one pass over the statement's rows; any other change recounts the stores it touched.
--
-- store_days holds, per store and local calendar day (in its zone), what a report counts in that whole day: up and
-- down microseconds within business hours by nearest poll over all the store's polls, the microseconds within 90
-- minutes of a poll, and the polls. The days are computed by the report's engine (lib/uptime/days.ts), not in SQL:
-- the triggers here only record which span of a store's time changed (store_days_stale: from the poll before a
-- change to the poll after it, or the whole store for a change of its hours or zone), and lib/fleet/store-days.ts
-- recomputes the days of those spans, in the transaction of the load that wrote them, or in the workers' round for
-- any other writer. A store with a stale span is read from its polls until then, so no reader sees a wrong day.
-- Invariant for a store with no stale span: a row for every local day from its first poll's to its last poll's.

ALTER TABLE "poll_stores"
  ADD COLUMN "last_poll_at" TIMESTAMPTZ(6),
  ADD COLUMN "last_active" BOOLEAN,
  ADD COLUMN "run_first_poll_at" TIMESTAMPTZ(6),
  ADD COLUMN "run_after_poll_at" TIMESTAMPTZ(6);

CREATE TABLE "store_days" (
    "store_id" TEXT COLLATE "C" NOT NULL,
    "day" DATE NOT NULL,
    "up_us" DOUBLE PRECISION NOT NULL,
    "down_us" DOUBLE PRECISION NOT NULL,
    "covered_us" DOUBLE PRECISION NOT NULL,
    "polls" INTEGER NOT NULL,
    CONSTRAINT "store_days_pkey" PRIMARY KEY ("store_id", "day")
);

CREATE TABLE "store_days_stale" (
    "store_id" TEXT COLLATE "C" NOT NULL,
    "from_at" TIMESTAMPTZ(6) NOT NULL,
    "to_at" TIMESTAMPTZ(6) NOT NULL
);
CREATE INDEX "store_days_stale_store_id_idx" ON "store_days_stale" ("store_id");

-- The state of each of `stores` (distinct) as polls now has it; a store with none left goes.
CREATE OR REPLACE FUNCTION "poll_stores_recount"("stores" TEXT[]) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "poll_stores" ("store_id", "first_poll_at", "last_poll_at", "last_active", "run_first_poll_at", "run_after_poll_at")
  SELECT s.store_id, f.first_at, l.at, l.active,
         coalesce((SELECT min(p."timestamp_utc") FROM "polls" p WHERE p."store_id" = s.store_id AND p."timestamp_utc" > r.after_at), f.first_at),
         r.after_at
  FROM unnest("stores") AS s(store_id)
  CROSS JOIN LATERAL (SELECT p."timestamp_utc" AS at, p."status" = 'active' AS active FROM "polls" p
                      WHERE p."store_id" = s.store_id ORDER BY p."timestamp_utc" DESC LIMIT 1) l
  CROSS JOIN LATERAL (SELECT min(p."timestamp_utc") AS first_at FROM "polls" p WHERE p."store_id" = s.store_id) f
  CROSS JOIN LATERAL (SELECT max(p."timestamp_utc") AS after_at FROM "polls" p
                      WHERE p."store_id" = s.store_id AND (p."status" = 'active') <> l.active) r
  ON CONFLICT ("store_id") DO UPDATE SET
    "first_poll_at" = excluded."first_poll_at", "last_poll_at" = excluded."last_poll_at", "last_active" = excluded."last_active",
    "run_first_poll_at" = excluded."run_first_poll_at", "run_after_poll_at" = excluded."run_after_poll_at";
  DELETE FROM "poll_stores" ps
  WHERE ps."store_id" = ANY("stores") AND NOT EXISTS (SELECT 1 FROM "polls" p WHERE p."store_id" = ps."store_id");
END $$;

SELECT "poll_stores_recount"(ARRAY(SELECT "store_id" FROM "poll_stores"));
INSERT INTO "store_days_stale" ("store_id", "from_at", "to_at") SELECT "store_id", "first_poll_at", "last_poll_at" FROM "poll_stores";

ALTER TABLE "poll_stores"
  ALTER COLUMN "last_poll_at" SET NOT NULL,
  ALTER COLUMN "last_active" SET NOT NULL,
  ALTER COLUMN "run_first_poll_at" SET NOT NULL;

-- The span of each store's time that the changed polls `changed` (store_id, timestamp_utc) touch, from the poll
-- before the first of them to the poll after the last (as polls now has it), is marked stale.
CREATE FUNCTION "store_days_touched"("stores" TEXT[], "firsts" TIMESTAMPTZ[], "lasts" TIMESTAMPTZ[]) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "store_days_stale" ("store_id", "from_at", "to_at")
  SELECT c.store_id,
         coalesce((SELECT max(p."timestamp_utc") FROM "polls" p WHERE p."store_id" = c.store_id AND p."timestamp_utc" < c.first_at), c.first_at),
         coalesce((SELECT min(p."timestamp_utc") FROM "polls" p WHERE p."store_id" = c.store_id AND p."timestamp_utc" > c.last_at), c.last_at)
  FROM unnest("stores", "firsts", "lasts") AS c(store_id, first_at, last_at);
END $$;

-- Polls added. The common case, polls later than each store's last (pollers sending what they saw), is worked out
-- from the statement's rows and the stored state alone: the stale span starts at the old last poll, and the run
-- moves to the last change of status among the old last poll and the new ones. A store that got a poll at or before
-- its last is recounted.
CREATE OR REPLACE FUNCTION "poll_stores_added"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
  backfilled TEXT[];
  firsts TIMESTAMPTZ[];
  lasts TIMESTAMPTZ[];
BEGIN
  WITH a AS (SELECT "store_id", "timestamp_utc" AS at, "status" = 'active' AS active FROM "added"),
  b AS (SELECT store_id, min(at) AS first_at, max(at) AS last_at, (array_agg(active ORDER BY at DESC))[1] AS last_active
        FROM a GROUP BY store_id),
  flip AS (SELECT a.store_id, max(a.at) AS at FROM a JOIN b USING (store_id) WHERE a.active <> b.last_active GROUP BY a.store_id),
  after_flip AS (SELECT a.store_id, min(a.at) AS at FROM a JOIN flip f USING (store_id) WHERE a.at > f.at GROUP BY a.store_id),
  batch AS (
    SELECT b.store_id, b.first_at, b.last_at, b.last_active,
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
  state AS (
    INSERT INTO "poll_stores" ("store_id", "first_poll_at", "last_poll_at", "last_active", "run_first_poll_at", "run_after_poll_at")
    SELECT store_id, first_poll_at, last_at, last_active, run_first_poll_at, run_after_poll_at FROM batch WHERE appended
    ON CONFLICT ("store_id") DO UPDATE SET
      "last_poll_at" = excluded."last_poll_at", "last_active" = excluded."last_active",
      "run_first_poll_at" = excluded."run_first_poll_at", "run_after_poll_at" = excluded."run_after_poll_at")
  SELECT array_agg(store_id), array_agg(first_at), array_agg(last_at) INTO backfilled, firsts, lasts FROM batch WHERE NOT appended;

  IF backfilled IS NOT NULL THEN
    PERFORM "store_days_touched"(backfilled, firsts, lasts);
    PERFORM "poll_stores_recount"(backfilled);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "poll_stores_removed"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "store_days_touched"(array_agg(store_id), array_agg(first_at), array_agg(last_at))
  FROM (SELECT "store_id" AS store_id, min("timestamp_utc") AS first_at, max("timestamp_utc") AS last_at FROM "removed" GROUP BY "store_id") r;
  PERFORM "poll_stores_recount"(ARRAY(SELECT DISTINCT "store_id" FROM "removed"));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "poll_stores_changed"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "store_days_touched"(array_agg(store_id), array_agg(first_at), array_agg(last_at))
  FROM (SELECT store_id, min(at) AS first_at, max(at) AS last_at
        FROM (SELECT "store_id" AS store_id, "timestamp_utc" AS at FROM "removed" UNION ALL
              SELECT "store_id", "timestamp_utc" FROM "added") c GROUP BY store_id) r;
  PERFORM "poll_stores_recount"(ARRAY(SELECT "store_id" FROM "removed" UNION SELECT "store_id" FROM "added"));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "poll_stores_emptied"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "poll_stores", "store_days", "store_days_stale";
  RETURN NULL;
END $$;

-- A change to stores' hours or zones makes each of those stores' days stale, from its first poll to its last.
CREATE FUNCTION "store_days_settings_changed"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO "store_days_stale" ("store_id", "from_at", "to_at") SELECT "store_id", "first_poll_at", "last_poll_at" FROM "poll_stores";
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO "store_days_stale" ("store_id", "from_at", "to_at")
    SELECT ps."store_id", ps."first_poll_at", ps."last_poll_at" FROM "poll_stores" ps WHERE ps."store_id" IN (SELECT "store_id" FROM "added");
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "store_days_stale" ("store_id", "from_at", "to_at")
    SELECT ps."store_id", ps."first_poll_at", ps."last_poll_at" FROM "poll_stores" ps WHERE ps."store_id" IN (SELECT "store_id" FROM "removed");
  ELSE
    INSERT INTO "store_days_stale" ("store_id", "from_at", "to_at")
    SELECT ps."store_id", ps."first_poll_at", ps."last_poll_at" FROM "poll_stores" ps
    WHERE ps."store_id" IN (SELECT "store_id" FROM "added" UNION SELECT "store_id" FROM "removed");
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "business_hours_added" AFTER INSERT ON "business_hours" REFERENCING NEW TABLE AS "added"
  FOR EACH STATEMENT EXECUTE FUNCTION "store_days_settings_changed"();
CREATE TRIGGER "business_hours_removed" AFTER DELETE ON "business_hours" REFERENCING OLD TABLE AS "removed"
  FOR EACH STATEMENT EXECUTE FUNCTION "store_days_settings_changed"();
CREATE TRIGGER "business_hours_changed" AFTER UPDATE ON "business_hours" REFERENCING OLD TABLE AS "removed" NEW TABLE AS "added"
  FOR EACH STATEMENT EXECUTE FUNCTION "store_days_settings_changed"();
CREATE TRIGGER "business_hours_emptied" AFTER TRUNCATE ON "business_hours"
  FOR EACH STATEMENT EXECUTE FUNCTION "store_days_settings_changed"();
CREATE TRIGGER "store_timezones_added" AFTER INSERT ON "store_timezones" REFERENCING NEW TABLE AS "added"
  FOR EACH STATEMENT EXECUTE FUNCTION "store_days_settings_changed"();
CREATE TRIGGER "store_timezones_removed" AFTER DELETE ON "store_timezones" REFERENCING OLD TABLE AS "removed"
  FOR EACH STATEMENT EXECUTE FUNCTION "store_days_settings_changed"();
CREATE TRIGGER "store_timezones_changed" AFTER UPDATE ON "store_timezones" REFERENCING OLD TABLE AS "removed" NEW TABLE AS "added"
  FOR EACH STATEMENT EXECUTE FUNCTION "store_days_settings_changed"();
CREATE TRIGGER "store_timezones_emptied" AFTER TRUNCATE ON "store_timezones"
  FOR EACH STATEMENT EXECUTE FUNCTION "store_days_settings_changed"();
