// PUT /api/alerts/rules/<id> - replaces a rule's settings; DELETE - removes it (its notifications not yet sent fail)
import { json, noContent, parseBody, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { deleteRule, ruleInput, updateRule } from "@/lib/alerts/rules";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export const PUT = route<Context>(async (request, { params }) => {
  const { scope, actor } = await authorize(request, "account");
  return json(await updateRule(scope, actor, (await params).id, await parseBody(request, ruleInput)));
});

export const DELETE = route<Context>(async (request, { params }) => {
  const { scope } = await authorize(request, "account");
  await deleteRule(scope, (await params).id);
  return noContent();
});
