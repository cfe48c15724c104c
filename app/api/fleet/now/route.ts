// GET /api/fleet/now - the caller's stores now: counts, and those down or without data, since when, for how long
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { visibleStores } from "@/lib/auth/scope";
import { fleetNow } from "@/lib/fleet/now";

export const dynamic = "force-dynamic";

export const GET = route(operations.fleetNow, async (_request, { scope }) =>
  json(await fleetNow((column) => visibleStores(scope, column))),
);
