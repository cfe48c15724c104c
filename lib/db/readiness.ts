import { AppError } from "../errors";
import { readMigrations } from "./migrate";
import { pool } from "./pool";

let expected: string[] | undefined;

/**
 * Throws unless this process can serve: its database answers (else the query's error, a 503) and has every
 * migration this build knows applied (else a 503 naming the missing ones: a web server started before its
 * database was prepared, or a newer build than the schema).
 */
export async function checkReady(): Promise<void> {
  expected ??= readMigrations().map((m) => m.name);
  const { rows } = await pool()
    .query<{ name: string }>(
      `SELECT migration_name AS name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    )
    .catch((e: { code?: string }) => {
      if (e.code === "42P01") return { rows: [] }; // no migrations table: nothing applied yet
      throw e;
    });
  const applied = new Set(rows.map((r) => r.name));
  const missing = expected.filter((name) => !applied.has(name));
  if (missing.length > 0)
    throw new AppError(
      "not_ready",
      503,
      `the database lacks migrations ${missing.join(", ")}: start the app with npm start, or run npm run worker once`,
      undefined,
      {
        "Retry-After": "5",
      },
    );
}
