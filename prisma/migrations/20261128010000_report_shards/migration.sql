-- A report's stores are computed in shards, possibly by several worker processes.
ALTER TABLE "reports" ADD COLUMN "shards_total" INTEGER;
ALTER TABLE "reports" ADD COLUMN "shards_done" INTEGER NOT NULL DEFAULT 0;
