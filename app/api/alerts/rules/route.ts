// GET /api/alerts/rules - the alert rules the caller manages; POST - a new rule (see lib/alerts/rules.ts ruleInput)
import { json, parseBody, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { createRule, listRules, ruleInput } from "@/lib/alerts/rules";

export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  const { scope, actor } = await authorize(request, "account");
  return json({ rules: await listRules(scope, actor) });
});

export const POST = route(async (request) => {
  const { scope, actor } = await authorize(request, "account");
  return json(await createRule(scope, actor, await parseBody(request, ruleInput)), 201);
});
