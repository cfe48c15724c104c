-- A weekly report rule's weekday is numbered as the business-hours feed numbers its days, 0 = Monday .. 6 = Sunday
-- (it was 0 = Sunday .. 6 = Saturday): each stored rule keeps its day under the new number.
UPDATE "alert_rules" SET "weekday" = ("weekday" + 6) % 7 WHERE "weekday" IS NOT NULL;
