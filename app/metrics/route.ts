// GET /metrics - Prometheus text: every live process's metrics summed (by role), and the queue's, reports' and
// notifications' state now. For admins and `metrics` keys; or, with METRICS_PORT, on that port to anyone.
import { operations } from "@/lib/api/contract";
import { route } from "@/lib/api/respond";
import { metricsResponse } from "@/lib/observability/publish";

export const dynamic = "force-dynamic";

export const GET = route(operations.metrics, async () => metricsResponse());
