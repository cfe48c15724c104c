-- A report triggered by a caller who sees some owners' stores only computes those stores: the owners it covers
-- (null: every store, as every report before had).
ALTER TABLE "reports" ADD COLUMN "owner_ids" TEXT[];
