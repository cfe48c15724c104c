-- Incidents (a store down within its business hours for at least the rule's time, by the report's rules) and
-- the notifications of their opening and resolution, one row per event and channel: written once, so that a
-- re-evaluation or a retried job never notifies twice.
CREATE TABLE "incidents" (
    "id" BIGSERIAL NOT NULL,
    "store_id" TEXT COLLATE "C" NOT NULL,
    "kind" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(6) NOT NULL,
    "opened_at" TIMESTAMPTZ(6) NOT NULL,
    "resolved_at" TIMESTAMPTZ(6),
    "recorded_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "incidents_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "incidents_kind_check" CHECK ("kind" IN ('down', 'no_data'))
);
CREATE INDEX "incidents_opened_at_idx" ON "incidents" ("opened_at");

CREATE TABLE "alert_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "incident_id" BIGINT NOT NULL,
    "event" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "delivered_at" TIMESTAMPTZ(6),
    "last_error" TEXT,
    CONSTRAINT "alert_deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_deliveries_event_check" CHECK ("event" IN ('opened', 'resolved')),
    CONSTRAINT "alert_deliveries_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "alert_deliveries_incident_id_event_channel_key" ON "alert_deliveries" ("incident_id", "event", "channel");

-- A store has at most one open incident of a kind: an evaluation that finds it still down keeps it.
CREATE UNIQUE INDEX "incidents_one_open_key" ON "incidents" ("store_id", "kind") WHERE "resolved_at" IS NULL;
CREATE INDEX "incidents_store_id_idx" ON "incidents" ("store_id");
