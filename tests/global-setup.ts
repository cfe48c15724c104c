// Starts the PostgreSQL the tests use (the embedded one, or the server DATABASE_URL names) and prepares a
// migrated template database that each test file clones into a database of its own.
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { freshDatabase } from "../lib/db/prepare";
import { createQueues } from "../lib/jobs/queue";

export const TEMPLATE_DB = "storemon_test_template";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const port = Number(process.env.EMBEDDED_PG_PORT ?? 54329) + 1;
    const server = await startEmbeddedPostgres(".data/test-postgres", port);
    adminUrl = server.adminUrl;
    stop = server.stop;
  }
  await freshDatabase(adminUrl, TEMPLATE_DB, createQueues);

  project.provide("adminUrl", adminUrl);
  return async () => {
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    const { rows } = await cleanup.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'storemon_test_%'");
    for (const { datname } of rows) await cleanup.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await cleanup.end();
    await stop();
  };
}
