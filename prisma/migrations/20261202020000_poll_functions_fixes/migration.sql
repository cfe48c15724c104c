-- Two fixes to the functions of the last two migrations, found in review:
-- poll_partition_for locks polls_default before it moves the month's rows out of it (a write into it meanwhile
-- would leave a row of that month behind, and the partition could not be made);
-- poll_stores_recount upserts (two statements recounting one store at once would otherwise collide on its key).

CREATE OR REPLACE FUNCTION "poll_partition_for"("at" TIMESTAMPTZ) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
DECLARE
  month_start TIMESTAMP := date_trunc('month', "at" AT TIME ZONE 'UTC');
  low TEXT := to_char(month_start, 'YYYY-MM-DD') || ' 00:00:00+00';
  high TEXT := to_char(month_start + INTERVAL '1 month', 'YYYY-MM-DD') || ' 00:00:00+00';
  partition_name TEXT := 'polls_' || to_char(month_start, 'YYYY_MM');
  made CONSTANT TEXT := 'SELECT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                                        WHERE i.inhparent = ''polls''::regclass AND c.relname = $1)';
  found BOOLEAN;
BEGIN
  EXECUTE made INTO found USING partition_name;
  IF found THEN RETURN FALSE; END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('polls:partitions', 0));
  EXECUTE made INTO found USING partition_name;
  IF found THEN RETURN FALSE; END IF;
  -- A write into polls_default meanwhile would leave a row of the month there, and the partition could not be made.
  LOCK TABLE "polls_default" IN SHARE ROW EXCLUSIVE MODE;
  CREATE TEMP TABLE "poll_partition_moved" (LIKE "polls");
  WITH moved AS (DELETE FROM "polls_default" WHERE "timestamp_utc" >= low::TIMESTAMPTZ AND "timestamp_utc" < high::TIMESTAMPTZ RETURNING *)
  INSERT INTO "poll_partition_moved" SELECT * FROM moved;
  EXECUTE format('CREATE TABLE %I PARTITION OF "polls" FOR VALUES FROM (%L) TO (%L)', partition_name, low, high);
  INSERT INTO "polls" SELECT * FROM "poll_partition_moved";
  DROP TABLE "poll_partition_moved";
  RETURN TRUE;
END $$;

CREATE OR REPLACE FUNCTION "poll_stores_recount"("stores" TEXT[]) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "poll_stores" ("store_id", "first_poll_at")
  SELECT s.store_id, f.first_poll_at FROM unnest("stores") AS s(store_id)
  CROSS JOIN LATERAL (SELECT min(p."timestamp_utc") AS first_poll_at FROM "polls" p WHERE p."store_id" = s.store_id) f
  WHERE f.first_poll_at IS NOT NULL
  ON CONFLICT ("store_id") DO UPDATE SET "first_poll_at" = excluded."first_poll_at";
  DELETE FROM "poll_stores" ps
  WHERE ps."store_id" = ANY("stores") AND NOT EXISTS (SELECT 1 FROM "polls" p WHERE p."store_id" = ps."store_id");
END $$;
