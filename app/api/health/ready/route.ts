// GET /api/health/ready - 200 when this server can serve: its database answers and has every migration; else 503
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { checkReady } from "@/lib/db/readiness";

export const dynamic = "force-dynamic";

export const GET = route(operations.ready, async () => {
  await checkReady();
  return json({ ok: true });
});
