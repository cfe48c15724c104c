-- Every password link (an invitation or a reset) issued to an account, by the hash better-auth keeps its token
-- under: an account has at most one live link (issuing one, or setting a password, ends the others), and a link
-- that no longer works can say why (used, superseded, expired).
CREATE TABLE "password_links" (
  "identifier" TEXT PRIMARY KEY,
  "user_id" TEXT NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
  "kind" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
  "expires_at" TIMESTAMPTZ(6) NOT NULL,
  "ended_at" TIMESTAMPTZ(6),
  "ended_by" TEXT
);
CREATE INDEX "password_links_user_id_idx" ON "password_links" ("user_id");
-- Links issued before links were recorded may be several per account: none of them is known to be the live one,
-- so they end here (an admin issues a new one).
DELETE FROM "verifications";
