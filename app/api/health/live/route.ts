// GET /api/health/live - 200 while the process serves HTTP, whatever the state of its database
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";

export const dynamic = "force-dynamic";

export const GET = route(operations.live, async () => json({ ok: true }));
