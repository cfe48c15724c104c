// GET /api/health - 200 when the server can reach its database
import { pool } from "@/lib/db/pool";
import { json, route } from "@/lib/api/respond";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  await pool().query("SELECT 1");
  return json({ ok: true });
});
