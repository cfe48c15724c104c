-- Store ids are compared in byte order ("C" collation): reports list stores in that order.

CREATE TYPE "poll_status" AS ENUM ('active', 'inactive');
CREATE TYPE "report_status" AS ENUM ('Queued', 'Running', 'Complete', 'Failed');

CREATE TABLE "polls" (
    "store_id" TEXT COLLATE "C" NOT NULL,
    "timestamp_utc" TIMESTAMPTZ(6) NOT NULL,
    "status" "poll_status" NOT NULL,
    CONSTRAINT "polls_pkey" PRIMARY KEY ("store_id", "timestamp_utc")
);
-- The newest poll (a report's default "now") without a scan of the table.
CREATE INDEX "polls_timestamp_utc_idx" ON "polls" ("timestamp_utc");

CREATE TABLE "business_hours" (
    "store_id" TEXT COLLATE "C" NOT NULL,
    "day_of_week" SMALLINT NOT NULL CHECK ("day_of_week" BETWEEN 0 AND 6),
    "start_time_local" TIME(0) NOT NULL,
    "end_time_local" TIME(0) NOT NULL,
    CONSTRAINT "business_hours_pkey" PRIMARY KEY ("store_id", "day_of_week", "start_time_local", "end_time_local")
);

CREATE TABLE "store_timezones" (
    "store_id" TEXT COLLATE "C" NOT NULL,
    "timezone_str" TEXT NOT NULL,
    CONSTRAINT "store_timezones_pkey" PRIMARY KEY ("store_id")
);

CREATE TABLE "reports" (
    "id" TEXT NOT NULL,
    "status" "report_status" NOT NULL DEFAULT 'Queued',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    "as_of" TIMESTAMPTZ(6) NOT NULL,
    "as_of_source" TEXT NOT NULL,
    "stores_total" INTEGER,
    "stores_done" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "job_id" TEXT,
    "error" TEXT,
    CONSTRAINT "reports_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "reports_created_at_idx" ON "reports" ("created_at");

CREATE TABLE "report_rows" (
    "report_id" TEXT NOT NULL,
    "store_id" TEXT COLLATE "C" NOT NULL,
    "uptime_last_hour" DECIMAL(12,2) NOT NULL,
    "uptime_last_day" DECIMAL(12,2) NOT NULL,
    "uptime_last_week" DECIMAL(12,2) NOT NULL,
    "downtime_last_hour" DECIMAL(12,2) NOT NULL,
    "downtime_last_day" DECIMAL(12,2) NOT NULL,
    "downtime_last_week" DECIMAL(12,2) NOT NULL,
    CONSTRAINT "report_rows_pkey" PRIMARY KEY ("report_id", "store_id"),
    CONSTRAINT "report_rows_report_id_fkey" FOREIGN KEY ("report_id") REFERENCES "reports"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "import_log" (
    "id" SERIAL NOT NULL,
    "file_name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    "rows_read" INTEGER NOT NULL DEFAULT 0,
    "rows_added" INTEGER NOT NULL DEFAULT 0,
    "rows_duplicate" INTEGER NOT NULL DEFAULT 0,
    "rows_rejected" INTEGER NOT NULL DEFAULT 0,
    "outcome" TEXT NOT NULL,
    "message" TEXT,
    CONSTRAINT "import_log_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "import_log_started_at_idx" ON "import_log" ("started_at");
