// POST /trigger_report - records a report and queues it; answers at once with its id
import { operations } from "@/lib/api/contract";
import { parseTriggerBody } from "@/lib/reports/api";
import { json, route } from "@/lib/api/respond";
import { triggerReport } from "@/lib/reports/create";
import { countTrigger } from "@/lib/auth/limits";
import { requestIdOf } from "@/lib/http/request-id";

export const dynamic = "force-dynamic";

export const POST = route(operations.triggerReport, async (request, { caller }) => {
  await countTrigger(caller.limitKeys);
  const reportId = await triggerReport(await parseTriggerBody(request), {
    signal: request.signal,
    requestId: requestIdOf(request),
    scope: caller.scope,
  });
  return json({ report_id: reportId }, 202);
});
