// POST /trigger_report - records a report and queues it; answers at once with its id
import { parseTriggerBody } from "@/lib/api/report-api";
import { json, route } from "@/lib/api/respond";
import { triggerReport } from "@/lib/reports/create";
import { authorize } from "@/lib/auth/authorize";
import { countTrigger } from "@/lib/auth/limits";
import { requestIdOf } from "@/lib/observability/requests";

export const dynamic = "force-dynamic";

export const POST = route(async (request) => {
  await countTrigger((await authorize(request, "reports")).limitKey());
  const reportId = await triggerReport(await parseTriggerBody(request), { signal: request.signal, requestId: requestIdOf(request) });
  return json({ report_id: reportId }, 202);
});
