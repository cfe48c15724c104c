// POST /api/polls - pollers push polls (JSON array or CSV); idempotent on (store_id, timestamp_utc)
import { postPolls } from "@/lib/uploads/polls-api";

export const dynamic = "force-dynamic";

export const POST = postPolls;
