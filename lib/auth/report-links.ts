import crypto from "node:crypto";
import { prisma } from "../db/prisma";
import { AppError } from "../errors";
import { serverSecret } from "./accounts";
import { equalSecrets } from "./session";
import { ALL_STORES, type Scope } from "./scope";

// A report's download link that works without signing in, as a scheduled report's e-mail or webhook carries it:
// `/get_report_file/<id>?rule=<rule id>&scope=<owner id or all>&expires=<unix seconds>&signature=<HMAC-SHA256>`,
// signed with the server's secret over the report, the rule, the scope and the expiry, so that it opens that
// report's rows of that owner until then, and nothing else; and only while the rule that sent it still exists
// with that scope (removing the rule, or giving it to another owner, revokes its links).

/** Days a scheduled report's link works. */
export const REPORT_LINK_DAYS = 7;

async function sign(reportId: string, rule: string, scope: string, expires: string): Promise<string> {
  return crypto
    .createHmac("sha256", await serverSecret())
    .update(`report-link.${reportId}.${rule}.${scope}.${expires}`)
    .digest("base64url");
}

/** The query string of a signed link, sent by report rule `ruleId`, to a report's CSV over the stores of `ownerId` (null: all). */
export async function signedReportQuery(
  reportId: string,
  ruleId: string,
  ownerId: string | null,
  now = Date.now(),
): Promise<{ query: string; expiresAt: Date }> {
  const scope = ownerId ?? "all";
  const expiresAt = new Date(now + REPORT_LINK_DAYS * 86_400_000);
  const expires = String(Math.floor(expiresAt.getTime() / 1000));
  const params = new URLSearchParams({ rule: ruleId, scope, expires, signature: await sign(reportId, ruleId, scope, expires) });
  return { query: params.toString(), expiresAt };
}

/** The scope a request's signed link gives to report `reportId`, or null when it carries none; 403 when it is bad or old. */
export async function signedLinkScope(request: Request, reportId: string): Promise<Scope | null> {
  const params = new URL(request.url).searchParams;
  const signature = params.get("signature");
  if (signature === null) return null;
  const rule = params.get("rule") ?? "";
  const scope = params.get("scope") ?? "";
  const expires = params.get("expires") ?? "";
  if (!/^\d{1,12}$/.test(expires) || !equalSecrets(signature, await sign(reportId, rule, scope, expires)))
    throw new AppError("forbidden", 403, "this report link is not valid (it names another report, or was changed)");
  if (Number(expires) * 1000 < Date.now())
    throw new AppError(
      "link_expired",
      403,
      `this report link expired at ${new Date(Number(expires) * 1000).toISOString()}; open the report in the dashboard`,
    );
  const sender = await prisma().alertRule.findUnique({ where: { id: rule }, select: { ownerId: true } });
  if (!sender || (sender.ownerId ?? "all") !== scope)
    throw new AppError("link_revoked", 403, "this report link's rule was removed or changed; open the report in the dashboard");
  return scope === "all" ? ALL_STORES : { all: false, ownerIds: [scope] };
}
