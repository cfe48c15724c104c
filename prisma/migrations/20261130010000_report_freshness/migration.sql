-- How far each row's figures rest on polls of the window they report (lib/uptime/freshness.ts): the store's
-- last poll at or before the report's as-of instant, the share of the week within 90 minutes of a poll, and
-- the state that follows (fresh, stale, no_data). Not part of the CSV. Rows of earlier reports have none.
ALTER TABLE "report_rows"
    ADD COLUMN "last_poll_at" TIMESTAMPTZ(6),
    ADD COLUMN "poll_coverage" REAL,
    ADD COLUMN "freshness" TEXT,
    -- NOT VALID: rows already there (all without freshness) are not scanned under the table's lock.
    ADD CONSTRAINT "report_rows_freshness_check" CHECK ("freshness" IN ('fresh', 'stale', 'no_data')) NOT VALID;
