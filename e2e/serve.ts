// The app the Playwright specs drive: the production build on a fresh database with generated data
// (300 stores, 9 days), on E2E_PORT (3100). Started by playwright.config.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { databaseServer, freshDatabase } from "../lib/db/prepare";
import { createQueues } from "../lib/jobs/queue";
import { closePool } from "../lib/db/pool";
import { feedSourcesInDirectory, loadFeeds } from "../lib/feeds/load";
import { generateFeeds } from "../lib/sample-data/generate";
import { startApp } from "../scripts/app-processes";

const E2E_STORES = 300;
export const E2E_DATABASE_URL_FILE = ".data/e2e-database-url";
const port = Number(process.env.E2E_PORT ?? 3100);

const server = await databaseServer({ dir: ".data/e2e-postgres", port: Number(process.env.EMBEDDED_PG_PORT ?? 54329) + 2 });
const url = await freshDatabase(server.adminUrl, "storemon_e2e", createQueues);
process.env.DATABASE_URL = url;
// For specs that set up what only time would make (an incident in the data's week).
fs.writeFileSync(E2E_DATABASE_URL_FILE, url);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-e2e-"));
await generateFeeds({ stores: E2E_STORES, days: 9, seed: 5 }, dir);
await loadFeeds(feedSourcesInDirectory(dir), { actor: "e2e" });
await closePool();

const app = await startApp(url, {
  port,
  env: {
    ADMIN_TOKEN: process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789",
    ALERT_ALLOW_PRIVATE_TARGETS: "on",
    // E-mail rules are refused without a mail server; the specs make some, and nothing is sent to this one.
    SMTP_URL: "smtp://127.0.0.1:9",
  },
});
console.log(`e2e app on ${app.baseUrl}`);
const stop = async () => {
  await app.stop();
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
