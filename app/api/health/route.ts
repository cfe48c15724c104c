// GET /api/health - the readiness check under its first name (monitors already use it): see /api/health/ready
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { checkReady } from "@/lib/db/readiness";

export const dynamic = "force-dynamic";

export const GET = route(operations.health, async () => {
  await checkReady();
  return json({ ok: true });
});
