// GET /api/admin/imports - the import log, newest first
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { importHistory } from "@/lib/feeds/import-log";

export const dynamic = "force-dynamic";

export const GET = route(operations.imports, async () => json({ imports: await importHistory() }));
