// POST /api/alerts/rules/<id>/test - a sample notification to each of the rule's channels ("default": the
// environment's rule, admins only), at once; answers what each receiver said
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { countAlertTest } from "@/lib/auth/limits";
import { sendSamples } from "@/lib/alerts/deliver";
import { ruleToTest } from "@/lib/alerts/rules";

export const dynamic = "force-dynamic";

export const POST = route(operations.testRule, async (_request, { caller, scope, params }) => {
  await countAlertTest(caller.limitKeys);
  return json({ results: await sendSamples(await ruleToTest(scope, params.id)) });
});
