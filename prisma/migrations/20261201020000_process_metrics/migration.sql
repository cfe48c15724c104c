-- Each running process's Prometheus metrics (prom-client's JSON), published every few seconds, so that one
-- GET /metrics answers the sum over the web servers and workers that are alive (published within a minute).
CREATE TABLE "process_metrics" (
    "process" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "metrics" JSONB NOT NULL,
    CONSTRAINT "process_metrics_pkey" PRIMARY KEY ("process")
);
