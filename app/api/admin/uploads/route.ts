// POST /api/admin/uploads?name=<file>&kind=<feed> - one feed file in the body, streamed into the loader
import { z } from "zod";
import { authorize } from "@/lib/auth/authorize";
import { env } from "@/lib/env";
import { FEED_KINDS, type FeedKind } from "@/lib/feeds/kinds";
import { json, parseQuery, route } from "@/lib/api/respond";
import { emptyFile, loadUploadedFeed } from "@/lib/uploads/upload";
import { evaluateSoon } from "@/lib/alerts/evaluate-soon";

export const dynamic = "force-dynamic";

const query = z.object({ name: z.string().min(1).max(255), kind: z.enum(FEED_KINDS as [string, ...string[]]).optional() });

export const POST = route(async (request) => {
  const caller = await authorize(request, "admin");
  const { name, kind } = parseQuery(request, query);
  if (!request.body) throw emptyFile(name, kind as FeedKind | undefined);
  const result = await loadUploadedFeed(request.body, {
    name,
    kind: kind as FeedKind | undefined,
    maxBytes: env().UPLOAD_MAX_BYTES,
    declaredBytes: Number(request.headers.get("content-length") ?? 0),
    actor: caller.actor,
  });
  if (result.kind === "polls" && result.rowsAdded > 0) await evaluateSoon(null);
  return json(result);
});
