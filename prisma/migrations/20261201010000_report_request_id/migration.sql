-- The id of the request that triggered a report (X-Request-Id), so that its run's log lines, in whichever
-- worker process runs it or takes it over, carry it.
ALTER TABLE "reports" ADD COLUMN "request_id" TEXT;
