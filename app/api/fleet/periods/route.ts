// GET /api/fleet/periods - the caller's stores over complete local days: weeks, 30 and 90 days, trend, daily bars
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { visibleStores } from "@/lib/auth/scope";
import { fleetPeriods } from "@/lib/fleet/periods";

export const dynamic = "force-dynamic";

export const GET = route(operations.fleetPeriods, async (_request, { scope }) =>
  json(await fleetPeriods((column) => visibleStores(scope, column))),
);
