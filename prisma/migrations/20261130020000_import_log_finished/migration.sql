-- "Has anything been loaded since this report?" (the reports list asks it on every refresh).
CREATE INDEX "import_log_finished_at_idx" ON "import_log" ("finished_at");
