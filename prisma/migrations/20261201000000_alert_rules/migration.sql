-- Alert rules: which stores (all, an owner's, a list), after how long, and where to say it (a signed webhook, a
-- Slack-compatible webhook, e-mail addresses). A rule of kind 'report' sends a report on a schedule instead.
CREATE TABLE "alert_rules" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'incidents',
    -- The owner whose stores the rule covers (its members manage it); NULL: every store (admins only).
    "owner_id" TEXT,
    -- A list of stores within that range; empty: all of them.
    "store_ids" TEXT[] NOT NULL DEFAULT '{}',
    "after_minutes" INTEGER NOT NULL DEFAULT 15,
    -- Minutes without a poll in business hours before the rule tells of it; NULL: it does not.
    "no_data_minutes" INTEGER,
    "schedule" TEXT,
    "at_time" TEXT,
    "weekday" INTEGER,
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "webhook_url" TEXT,
    "webhook_secret" TEXT,
    "slack_url" TEXT,
    "email_to" TEXT[] NOT NULL DEFAULT '{}',
    -- The scheduled time of the last report sent (kind 'report').
    "last_run_for" TIMESTAMPTZ(6),
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "alert_rules_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_rules_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "owners"("id") ON DELETE CASCADE,
    CONSTRAINT "alert_rules_kind_check" CHECK ("kind" IN ('incidents', 'report')),
    CONSTRAINT "alert_rules_schedule_check" CHECK (
        ("kind" = 'incidents' AND "schedule" IS NULL)
        OR ("kind" = 'report' AND "schedule" IN ('daily', 'weekly') AND "at_time" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
            AND ("schedule" = 'daily') = ("weekday" IS NULL) AND coalesce("weekday" BETWEEN 0 AND 6, TRUE))
    ),
    CONSTRAINT "alert_rules_minutes_check" CHECK ("after_minutes" BETWEEN 1 AND 1440 AND coalesce("no_data_minutes" BETWEEN 1 AND 10080, TRUE))
);
CREATE INDEX "alert_rules_owner_id_idx" ON "alert_rules" ("owner_id");

-- A notification is of an incident (opened, resolved) or of a scheduled report (report): exactly one of them.
ALTER TABLE "alert_deliveries" ALTER COLUMN "incident_id" DROP NOT NULL;
ALTER TABLE "alert_deliveries" ADD COLUMN "report_id" TEXT;
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_report_id_fkey" FOREIGN KEY ("report_id") REFERENCES "reports"("id") ON DELETE CASCADE;
ALTER TABLE "alert_deliveries" DROP CONSTRAINT "alert_deliveries_event_check";
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_event_check" CHECK (
    ("event" IN ('opened', 'resolved') AND "incident_id" IS NOT NULL AND "report_id" IS NULL)
    OR ("event" = 'report' AND "report_id" IS NOT NULL AND "incident_id" IS NULL)
);
CREATE UNIQUE INDEX "alert_deliveries_report_id_channel_key" ON "alert_deliveries" ("report_id", "channel");
