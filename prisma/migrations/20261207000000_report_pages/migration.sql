-- A report's pages stay quick however many stores it has, and whatever the planner knows of its rows:
-- each row's uptime over the week and the day as a share of its business hours (one decimal, as the report page
-- shows, sorts and filters them) is worked out once, when the row is written, instead of in numeric for every row
-- at every view; an index in the page's first order (the worst first: no data, then the lowest shares) lets its
-- first pages read their 50 rows alone; a complete report keeps its fleet figures over every store, and those of
-- the report before it over the same stores (its cards' changes), worked out when it completes: it never changes.

ALTER TABLE "report_rows"
    ADD COLUMN "uptime_percent_week" DOUBLE PRECISION GENERATED ALWAYS AS
        (round((100 * "uptime_last_week" / nullif("uptime_last_week" + "downtime_last_week", 0))::numeric, 1)::float8) STORED,
    ADD COLUMN "uptime_percent_day" DOUBLE PRECISION GENERATED ALWAYS AS
        (round((100 * "uptime_last_day" / nullif("uptime_last_day" + "downtime_last_day", 0))::numeric, 1)::float8) STORED;

CREATE INDEX "report_rows_health_idx" ON "report_rows"
    ("report_id", ("freshness" = 'no_data') DESC NULLS LAST, "uptime_percent_week", "uptime_percent_day", "store_id");

ALTER TABLE "reports"
    ADD COLUMN "totals" JSONB,
    ADD COLUMN "previous_id" TEXT,
    ADD COLUMN "previous_totals" JSONB;
