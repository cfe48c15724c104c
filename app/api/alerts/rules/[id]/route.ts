// PUT /api/alerts/rules/<id> - replaces a rule's settings; DELETE - removes it (its notifications not yet sent fail)
import { operations } from "@/lib/api/contract";
import { json, noContent, route } from "@/lib/api/respond";
import { deleteRule, updateRule } from "@/lib/alerts/rules";

export const dynamic = "force-dynamic";

export const PUT = route(operations.updateRule, async (_request, { scope, caller, params, body }) =>
  json(await updateRule(scope, caller.actor, params.id, body)),
);

export const DELETE = route(operations.deleteRule, async (_request, { scope, params }) => {
  await deleteRule(scope, params.id);
  return noContent();
});
