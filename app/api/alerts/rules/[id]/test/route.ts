// POST /api/alerts/rules/<id>/test - a sample notification to each of the rule's channels ("default": the
// environment's rule, admins only), at once; answers what each receiver said
import { json, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { countAlertTest } from "@/lib/auth/limits";
import { sendSamples } from "@/lib/alerts/deliver";
import { ruleToTest } from "@/lib/alerts/rules";

export const dynamic = "force-dynamic";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const caller = await authorize(request, "account");
  await countAlertTest(caller.limitKey());
  const { scope } = caller;
  return json({ results: await sendSamples(await ruleToTest(scope, (await params).id)) });
});
