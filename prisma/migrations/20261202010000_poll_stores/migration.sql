-- The stores that have polls, and since when: a report lists its stores here (those polled by its "now") in one
-- index scan, instead of a skip scan of polls' key, which on a table partitioned by month costs one probe per
-- store and month. Kept by triggers on polls, whatever writes them: an insert adds its stores (or moves their
-- first poll earlier), a delete or update looks again at the stores it touched, a truncate empties it. Dropping a month
-- (retention) fires no trigger: lib/db/poll-partitions.ts looks again at the stores whose first poll it held.

CREATE TABLE "poll_stores" (
    "store_id" TEXT COLLATE "C" NOT NULL,
    "first_poll_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "poll_stores_pkey" PRIMARY KEY ("store_id")
);

INSERT INTO "poll_stores" SELECT "store_id", min("timestamp_utc") FROM "polls" GROUP BY "store_id";

CREATE FUNCTION "poll_stores_added"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "poll_stores" ("store_id", "first_poll_at")
  SELECT "store_id", min("timestamp_utc") FROM "added" GROUP BY "store_id"
  ON CONFLICT ("store_id") DO UPDATE SET "first_poll_at" = excluded."first_poll_at"
    WHERE excluded."first_poll_at" < "poll_stores"."first_poll_at";
  RETURN NULL;
END $$;
CREATE TRIGGER "poll_stores_added" AFTER INSERT ON "polls" REFERENCING NEW TABLE AS "added"
  FOR EACH STATEMENT EXECUTE FUNCTION "poll_stores_added"();

-- The first poll of each of `stores` (distinct) as polls now has it; a store with none left goes.
CREATE FUNCTION "poll_stores_recount"("stores" TEXT[]) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "poll_stores" WHERE "store_id" = ANY("stores");
  INSERT INTO "poll_stores" ("store_id", "first_poll_at")
  SELECT s.store_id, f.first_poll_at FROM unnest("stores") AS s(store_id)
  CROSS JOIN LATERAL (SELECT min(p."timestamp_utc") AS first_poll_at FROM "polls" p WHERE p."store_id" = s.store_id) f
  WHERE f.first_poll_at IS NOT NULL;
END $$;

CREATE FUNCTION "poll_stores_removed"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "poll_stores_recount"(ARRAY(SELECT DISTINCT "store_id" FROM "removed"));
  RETURN NULL;
END $$;
CREATE TRIGGER "poll_stores_removed" AFTER DELETE ON "polls" REFERENCING OLD TABLE AS "removed"
  FOR EACH STATEMENT EXECUTE FUNCTION "poll_stores_removed"();

CREATE FUNCTION "poll_stores_changed"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "poll_stores_recount"(ARRAY(SELECT "store_id" FROM "removed" UNION SELECT "store_id" FROM "added"));
  RETURN NULL;
END $$;
CREATE TRIGGER "poll_stores_changed" AFTER UPDATE ON "polls" REFERENCING OLD TABLE AS "removed" NEW TABLE AS "added"
  FOR EACH STATEMENT EXECUTE FUNCTION "poll_stores_changed"();

CREATE FUNCTION "poll_stores_emptied"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "poll_stores";
  RETURN NULL;
END $$;
CREATE TRIGGER "poll_stores_emptied" AFTER TRUNCATE ON "polls"
  FOR EACH STATEMENT EXECUTE FUNCTION "poll_stores_emptied"();
