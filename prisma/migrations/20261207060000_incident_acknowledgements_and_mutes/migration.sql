-- Incidents acknowledged by a person (or key), with an optional note; stores muted for a while; deliveries
-- skipped because their store was muted when they were due, with the reason; each delivery's last attempt.
--
-- A mute changes nothing of what incidents open or resolve: it is read when a notification is about to be sent
-- (lib/alerts/deliver.ts), and ends by itself at muted_until (compared with now, no job). One mute per store:
-- muting again replaces it, unmuting deletes it.

ALTER TABLE "incidents"
    ADD COLUMN "acknowledged_at" TIMESTAMPTZ(6),
    ADD COLUMN "acknowledged_by" TEXT,
    ADD COLUMN "acknowledgement_note" TEXT;

ALTER TABLE "alert_deliveries"
    ADD COLUMN "last_attempt_at" TIMESTAMPTZ(6),
    ADD COLUMN "skipped_reason" TEXT;

CREATE TABLE "store_mutes" (
    "store_id" TEXT COLLATE "C" NOT NULL,
    "muted_by" TEXT NOT NULL,
    "muted_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    "muted_until" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "store_mutes_pkey" PRIMARY KEY ("store_id"),
    CONSTRAINT "store_mutes_ends_after_start" CHECK ("muted_until" > "muted_at")
);
