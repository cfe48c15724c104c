-- The minute's alert round looks only at the stores whose evaluation can have changed since the round before
-- (lib/alerts/round.ts): those a write touched, and those whose next check has come.
--
-- alert_changes: the stores whose polls, hours, zone, owner or incidents a write changed, one row per store and
-- statement, appended by the triggers below in the writer's transaction and taken (deleted) by the next round; a
-- row without a store for a table emptied: the next round evaluates every active store. No key, no lock: appending
-- never waits for the round that is taking the rows.
-- alert_checks: each store's next check, the earliest instant at which its evaluation could give another answer
-- with no new write (an opening or closing, a rule's time reached by its outage, its silence or its incident, a
-- poll stamped later than the round), worked out when it is evaluated; none for a store that only a write can change.
-- alert_round: one row, the last round's instant and the rules it applied (a fingerprint). Without rules (before
-- the first round) or with other rules, a round evaluates every active store.

CREATE TABLE "alert_round" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    "evaluated_at" TIMESTAMPTZ(6),
    "rules" TEXT,
    CONSTRAINT "alert_round_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_round_one_row" CHECK ("id")
);
INSERT INTO "alert_round" ("id") VALUES (true);

CREATE TABLE "alert_checks" (
    "store_id" TEXT COLLATE "C" NOT NULL,
    "next_check_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "alert_checks_pkey" PRIMARY KEY ("store_id")
);
CREATE INDEX "alert_checks_next_check_at_idx" ON "alert_checks" ("next_check_at");

CREATE TABLE "alert_changes" (
    "store_id" TEXT COLLATE "C"
);

-- The stores of the rows a statement wrote; a table emptied: every store.
CREATE FUNCTION "alert_changes_marked"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO "alert_changes" ("store_id") VALUES (NULL);
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO "alert_changes" ("store_id") SELECT DISTINCT "store_id" FROM "added";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "alert_changes" ("store_id") SELECT DISTINCT "store_id" FROM "removed";
  ELSE
    INSERT INTO "alert_changes" ("store_id") SELECT "store_id" FROM "added" UNION SELECT "store_id" FROM "removed";
  END IF;
  RETURN NULL;
END $$;

-- A store's owner decides the rules that cover it: the stores whose owner a statement changed (a rename is no change).
CREATE FUNCTION "alert_changes_owners"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "alert_changes" ("store_id")
  SELECT "store_id" FROM ((SELECT "store_id", "owner_id" FROM "added" EXCEPT SELECT "store_id", "owner_id" FROM "removed")
                          UNION (SELECT "store_id", "owner_id" FROM "removed" EXCEPT SELECT "store_id", "owner_id" FROM "added")) c
  GROUP BY "store_id";
  RETURN NULL;
END $$;

-- The same four triggers on each table whose rows name a store. poll_stores holds each store's first and last poll
-- and its run, rewritten by the triggers on polls for every write to them (and by loads and retention, which fire
-- none on polls): its changes are its polls' changes. A store's row in stores changes its rules when its owner does.
DO $$
DECLARE
  t TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['poll_stores', 'business_hours', 'store_timezones', 'stores'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS "added"
                    FOR EACH STATEMENT EXECUTE FUNCTION "alert_changes_marked"()', 'alert_changes_' || t || '_added', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS "removed"
                    FOR EACH STATEMENT EXECUTE FUNCTION "alert_changes_marked"()', 'alert_changes_' || t || '_removed', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS "removed" NEW TABLE AS "added"
                    FOR EACH STATEMENT EXECUTE FUNCTION %I()', 'alert_changes_' || t || '_changed', t,
                   CASE WHEN t = 'stores' THEN 'alert_changes_owners' ELSE 'alert_changes_marked' END);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION "alert_changes_marked"()', 'alert_changes_' || t || '_emptied', t);
  END LOOP;
END $$;

-- Incidents are written by evaluations, which work out their stores' next checks; one removed by anything else
-- changes what its store's evaluation does (when its last outage ended, whether it is still watched).
CREATE TRIGGER "alert_changes_incidents_removed" AFTER DELETE ON "incidents" REFERENCING OLD TABLE AS "removed"
  FOR EACH STATEMENT EXECUTE FUNCTION "alert_changes_marked"();
CREATE TRIGGER "alert_changes_incidents_emptied" AFTER TRUNCATE ON "incidents"
  FOR EACH STATEMENT EXECUTE FUNCTION "alert_changes_marked"();
