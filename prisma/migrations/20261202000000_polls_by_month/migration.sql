-- Polls partitioned by month of timestamp_utc (months in UTC), so that retention (POLL_RETENTION_DAYS) drops
-- whole months and a report's week reads one or two of them. A month's partition is named polls_YYYY_MM and
-- made by poll_partition_for(): by loads for the months their polls fall in, and by the workers' hourly round
-- for this month and the next.
-- polls_default takes a poll of a month that has no partition yet (a write that did not go through a load);
-- poll_partition_for() moves such rows into their month's partition when it makes it.

ALTER TABLE "polls" RENAME TO "polls_unpartitioned";
ALTER TABLE "polls_unpartitioned" RENAME CONSTRAINT "polls_pkey" TO "polls_unpartitioned_pkey";
ALTER INDEX "polls_timestamp_utc_idx" RENAME TO "polls_unpartitioned_timestamp_utc_idx";

CREATE TABLE "polls" (
    "store_id" TEXT COLLATE "C" NOT NULL,
    "timestamp_utc" TIMESTAMPTZ(6) NOT NULL,
    "status" "poll_status" NOT NULL,
    CONSTRAINT "polls_pkey" PRIMARY KEY ("store_id", "timestamp_utc")
) PARTITION BY RANGE ("timestamp_utc");
-- The newest poll (a report's default "now") without a scan of the table.
CREATE INDEX "polls_timestamp_utc_idx" ON "polls" ("timestamp_utc");
CREATE TABLE "polls_default" PARTITION OF "polls" DEFAULT;

-- Makes the partition of polls for the month (UTC) of `at` unless it exists, moving into it the rows of that
-- month that polls_default holds. Makers take turns (an advisory lock held to the end of the transaction).
-- Returns whether it made one.
CREATE FUNCTION "poll_partition_for"("at" TIMESTAMPTZ) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
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
  CREATE TEMP TABLE "poll_partition_moved" (LIKE "polls");
  WITH moved AS (DELETE FROM "polls_default" WHERE "timestamp_utc" >= low::TIMESTAMPTZ AND "timestamp_utc" < high::TIMESTAMPTZ RETURNING *)
  INSERT INTO "poll_partition_moved" SELECT * FROM moved;
  EXECUTE format('CREATE TABLE %I PARTITION OF "polls" FOR VALUES FROM (%L) TO (%L)', partition_name, low, high);
  INSERT INTO "polls" SELECT * FROM "poll_partition_moved";
  DROP TABLE "poll_partition_moved";
  RETURN TRUE;
END $$;

-- The months of the polls there are; then the polls, in store order.
SELECT "poll_partition_for"(m) FROM (
  SELECT DISTINCT date_trunc('month', "timestamp_utc" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS m FROM "polls_unpartitioned"
) months;
INSERT INTO "polls" SELECT * FROM "polls_unpartitioned" ORDER BY "store_id", "timestamp_utc";
DROP TABLE "polls_unpartitioned";
