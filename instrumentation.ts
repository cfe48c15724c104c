// Runs once when a Next.js server starts (next start, next dev, or the front in server/web.ts): it is a
// web server, so its database queries answer or fail within DB_WEB_TIMEOUT_MS.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") (await import("./lib/db/pool")).setDatabaseRole("web");
}
