// GET /api/admin/imports - the import log, newest first
import { authorize } from "@/lib/auth/authorize";
import { json, route } from "@/lib/api/respond";
import { importHistory } from "@/lib/uploads/imports";

export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  await authorize(request, "admin");
  return json({ imports: await importHistory() });
});
