// POST /api/polls - pollers push polls (JSON array or CSV); idempotent on (store_id, timestamp_utc)
import { authorize } from "@/lib/auth/authorize";
import { json, route } from "@/lib/api/respond";
import { ingestPolls } from "@/lib/uploads/polls-api";

export const dynamic = "force-dynamic";

export const POST = route(async (request) => json(await ingestPolls(request, (await authorize(request, "ingest")).actor)));
