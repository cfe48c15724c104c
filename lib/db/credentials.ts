import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// The embedded server's passwords, made at its first start and kept in its data directory, readable by this
// user only (0600): the superuser's, used only to prepare the server, and the app role's, which the app uses.
// A server set up before this file existed (password "postgres") is given both at its next start.

export interface EmbeddedCredentials {
  superuser: string;
  app: string;
}

/** The role the app connects as on the embedded server: it owns the app's database, and is no superuser. */
export const APP_ROLE = "storemon";
export const APP_DATABASE = "storemon";

const FILE = "storemon-credentials.json";

export function newPassword(): string {
  return crypto.randomBytes(24).toString("base64url");
}

export function readCredentials(databaseDir: string): EmbeddedCredentials | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(path.resolve(databaseDir), FILE), "utf8")) as EmbeddedCredentials;
  } catch {
    return null;
  }
}

export function writeCredentials(databaseDir: string, credentials: EmbeddedCredentials): void {
  const file = path.join(path.resolve(databaseDir), FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(credentials), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

export function serverUrl(port: number, role: string, password: string, database: string): string {
  return `postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
