// GET /api/alerts/rules - the alert rules the caller manages; POST - a new rule (see lib/alerts/rule.ts ruleInput)
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { createRule, listRules } from "@/lib/alerts/rules";

export const dynamic = "force-dynamic";

export const GET = route(operations.listRules, async (_request, { scope, caller }) =>
  json({ rules: await listRules(scope, caller.actor) }),
);

export const POST = route(operations.createRule, async (_request, { scope, caller, body }) =>
  json(await createRule(scope, caller.actor, body), 201),
);
