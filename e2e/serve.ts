// The app the Playwright specs drive: the production build on a fresh database with generated data
// (300 stores, 9 days), on E2E_PORT (3100). Started by playwright.config.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ensureDatabaseExists, startEmbeddedPostgres } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { closePool } from "../lib/db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../lib/feeds/load";
import { generateFeeds } from "../lib/sample-data/generate";
import { startApp } from "../scripts/app-processes";

const E2E_STORES = 300;
const port = Number(process.env.E2E_PORT ?? 3100);

let adminUrl = process.env.DATABASE_URL;
let stopServer = async () => {};
if (!adminUrl) {
  const server = await startEmbeddedPostgres(".data/e2e-postgres", Number(process.env.EMBEDDED_PG_PORT ?? 54329) + 2);
  adminUrl = server.adminUrl;
  stopServer = server.stop;
}
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query("DROP DATABASE IF EXISTS storemon_e2e WITH (FORCE)");
await admin.end();
await ensureDatabaseExists(adminUrl, "storemon_e2e");
const url = Object.assign(new URL(adminUrl), { pathname: "/storemon_e2e" }).toString();
process.env.DATABASE_URL = url;
const client = new pg.Client({ connectionString: url });
await client.connect();
await migrate(client);
await client.end();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-e2e-"));
await generateFeeds({ stores: E2E_STORES, days: 9, seed: 5 }, dir);
await loadFeeds(feedSourcesInDirectory(dir), { actor: "e2e" });
await closePool();

const app = await startApp(url, { port, env: { ADMIN_TOKEN: process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789" } });
console.log(`e2e app on ${app.baseUrl}`);
const stop = async () => {
  await app.stop();
  await stopServer();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
