import path from "node:path";
import { defineConfig } from "prisma/config";

// Used by `prisma generate` (the client is generated at install time). Migrations are applied by the app
// itself (lib/db/migrate.ts), since the Prisma CLI cannot fetch its schema engine on every machine.
export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  datasource: { url: process.env.DATABASE_URL ?? "postgres://postgres:postgres@127.0.0.1:54329/storemon" },
});
