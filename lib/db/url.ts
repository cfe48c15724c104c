import { env } from "../env";
import { APP_DATABASE, APP_ROLE, readCredentials, serverUrl } from "./credentials";

let chosenDatabase: string | undefined;

/**
 * Points this process's connections at `url` (the embedded server's database once it is prepared, a benchmark's
 * own database), over DATABASE_URL: a process decides it after start, and hands it to its children explicitly.
 */
export function pointAtDatabase(url: string): void {
  chosenDatabase = url;
}

/**
 * The chosen database (pointAtDatabase), else DATABASE_URL when given, else the embedded server's database as
 * its app role (its password is kept in the server's data directory; see lib/db/credentials.ts).
 */
export function databaseUrl(): string {
  if (chosenDatabase) return chosenDatabase;
  const { DATABASE_URL, EMBEDDED_PG_DIR, EMBEDDED_PG_PORT } = env();
  if (DATABASE_URL) return DATABASE_URL;
  const credentials = readCredentials(EMBEDDED_PG_DIR);
  if (!credentials)
    throw new Error(`DATABASE_URL is not set and the embedded database in ${EMBEDDED_PG_DIR} is not prepared: run npm start`);
  return serverUrl(EMBEDDED_PG_PORT, APP_ROLE, credentials.app, APP_DATABASE);
}
