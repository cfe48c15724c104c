// GET /api/admin/stores?q&owner&page&pageSize - search the store directory (the owners page's picker)
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { searchDirectory } from "@/lib/owners/owners";

export const dynamic = "force-dynamic";

export const GET = route(operations.storeDirectory, async (_request, { query }) => json(await searchDirectory(query)));
