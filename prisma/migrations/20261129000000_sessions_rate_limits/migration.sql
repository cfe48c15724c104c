-- Admin sessions, kept here so that signing out ends a session at once. The cookie holds a random 256-bit
-- token; this table holds only its SHA-256, so a copy of the table signs nobody in.
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "token_generation" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- The counters of rate-limiter-flexible (RateLimiterPostgres, in its own layout), shared by every web server.
CREATE TABLE "rate_limits" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,
    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);
