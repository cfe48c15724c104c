// POST /api/admin/uploads?name=<file>&kind=<feed> - one feed file in the body, streamed into the loader
import { operations } from "@/lib/api/contract";
import { env } from "@/lib/env";
import { json, route } from "@/lib/api/respond";
import { emptyFile, loadUploadedFeed } from "@/lib/uploads/upload";
import { evaluateSoon } from "@/lib/alerts/evaluate-soon";

export const dynamic = "force-dynamic";

export const POST = route(operations.upload, async (request, { caller, query: { name, kind } }) => {
  if (!request.body) throw emptyFile(name, kind);
  const result = await loadUploadedFeed(request.body, {
    name,
    kind,
    maxBytes: env().UPLOAD_MAX_BYTES,
    declaredBytes: Number(request.headers.get("content-length") ?? 0),
    actor: caller.actor,
  });
  if (result.kind === "polls" && result.rowsAdded > 0) await evaluateSoon();
  return json(result);
});
