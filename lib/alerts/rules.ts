import crypto from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import type { Scope } from "../auth/scope";
import { prisma } from "../db/prisma";
import { AppError } from "../errors";
import { env } from "../env";
import type { AlertRule } from "../db/generated/client";
import { DEFAULT_RULE_ID, defaultRule, ruleFromRow, type Channel, type Rule } from "./rule";
import { nextDue } from "./schedule-times";
import type { RuleInput, RuleView } from "../api/views/alerts";

// The stored alert rules (alert_rules, through Prisma, the one way in): the evaluation's and deliveries' reads, and
// their management in the dashboard, where admins manage every rule and an owner's members the rules of their owners.

/** Every rule of a kind, the environment's first (incidents). */
export async function rulesOfKind(kind: Rule["kind"]): Promise<Rule[]> {
  const rows = await prisma().alertRule.findMany({ where: { kind }, orderBy: { createdAt: "asc" } });
  return [...(kind === "incidents" ? [defaultRule()] : []), ...rows.map(ruleFromRow)];
}

/** The channel a delivery names (`<kind>:<rule id>`), as its rule now has it; undefined when it is gone. */
export async function channelNamed(name: string): Promise<{ channel: Channel; rule: Rule } | undefined> {
  const ruleId = name.slice(name.indexOf(":") + 1);
  let rule: Rule | undefined;
  if (ruleId === DEFAULT_RULE_ID) rule = defaultRule();
  else if (z.string().uuid().safeParse(ruleId).success) {
    const row = await prisma().alertRule.findUnique({ where: { id: ruleId } });
    rule = row ? ruleFromRow(row) : undefined;
  }
  const channel = rule?.channels.find((c) => c.name === name);
  return channel && rule ? { channel, rule } : undefined;
}

/** Rules an owner (or the fleet, for rules of every store) may have: every minute's evaluation goes through them all. */
const MAX_RULES_PER_OWNER = 50;

type RuleWithOwner = AlertRule & { owner: { slug: string; name: string } | null };

/** A rule as `actor` sees it: its webhook's secret only for admins and for whoever made it. */
function view(r: RuleWithOwner, actor: string, scope: Scope): RuleView {
  const rule = ruleFromRow(r);
  return {
    id: r.id,
    name: r.name,
    kind: rule.kind,
    owner: r.owner ? { slug: r.owner.slug, name: r.owner.name } : null,
    stores: r.storeIds,
    afterMinutes: r.afterMinutes,
    noDataMinutes: r.noDataMinutes,
    schedule: rule.schedule,
    webhookUrl: r.webhookUrl,
    webhookSecret: scope.all || r.createdBy === actor ? r.webhookSecret : null,
    slackUrl: r.slackUrl,
    emailTo: r.emailTo,
    nextReportAt: rule.schedule ? nextDue(rule.schedule, r.lastRunFor ?? new Date()).toISOString() : null,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    fromEnvironment: false,
    warnings: warnings(r.emailTo),
  };
}

/** What cannot work in a rule as the server is set up: e-mail without SMTP_URL. */
const NO_SMTP = "e-mail cannot be sent: the server has no SMTP_URL";
const warnings = (emailTo: readonly string[]) => (emailTo.length > 0 && !env().SMTP_URL ? [NO_SMTP] : []);

/** The environment's rule as the admins see it (its secret is the operator's, not shown). */
function defaultView(): RuleView {
  const rule = defaultRule();
  const url = (kind: Channel["kind"]) => rule.channels.find((c) => c.kind === kind);
  const webhook = url("webhook");
  const slack = url("slack");
  const email = url("email");
  return {
    id: DEFAULT_RULE_ID,
    name: rule.name,
    kind: "incidents",
    owner: null,
    stores: [],
    afterMinutes: rule.afterMinutes,
    noDataMinutes: rule.noDataMinutes,
    schedule: null,
    webhookUrl: webhook?.kind === "webhook" ? webhook.url : null,
    webhookSecret: null,
    slackUrl: slack?.kind === "slack" ? slack.url : null,
    emailTo: email?.kind === "email" ? email.to : [],
    nextReportAt: null,
    warnings: warnings(email?.kind === "email" ? email.to : []),
    createdBy: "the environment",
    createdAt: rule.createdAt.toISOString(),
    fromEnvironment: true,
  };
}

/** The rules `scope` manages: every one for admins (the environment's first, when it has a channel); else their owners'. */
export async function listRules(scope: Scope, actor: string): Promise<RuleView[]> {
  const rows = await prisma().alertRule.findMany({
    where: scope.all ? {} : { ownerId: { in: [...scope.ownerIds] } },
    include: { owner: { select: { slug: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
  const fromEnvironment = scope.all && defaultRule().channels.length > 0 ? [defaultView()] : [];
  return [...fromEnvironment, ...rows.map((r) => view(r, actor, scope))];
}

/** The columns of a rule from what its manager sent, with the owner checked against their scope. */
async function columns(scope: Scope, input: RuleInput) {
  let ownerId: string | null = null;
  if (input.owner) {
    const owner = await prisma().owner.findUnique({ where: { slug: input.owner }, select: { id: true } });
    if (!owner || (!scope.all && !scope.ownerIds.includes(owner.id))) throw new AppError("owner_not_found", 404, `no owner ${input.owner}`);
    ownerId = owner.id;
  } else if (!scope.all) {
    // A member's rule covers their owner's stores: the only one, or the one they name.
    if (scope.ownerIds.length !== 1) throw new AppError("invalid_body", 400, "field owner: name the owner whose stores the rule covers");
    ownerId = scope.ownerIds[0]!;
  }
  // Refused rather than kept to fail at every incident: a rule must be able to tell someone.
  if (input.emailTo.length > 0 && !env().SMTP_URL)
    throw new AppError(
      "invalid_body",
      400,
      `field emailTo ${JSON.stringify(input.emailTo.join(", "))}: ${NO_SMTP}; set it, or use a webhook`,
    );
  const schedule = input.kind === "report" ? input.schedule! : null;
  return {
    name: input.name,
    kind: input.kind,
    ownerId,
    storeIds: [...new Set(input.stores)],
    afterMinutes: input.afterMinutes,
    noDataMinutes: input.noDataMinutes ?? null,
    schedule: schedule ? (schedule.every === "week" ? "weekly" : "daily") : null,
    atTime: schedule?.at ?? null,
    weekday: schedule?.every === "week" ? schedule.weekday! : null,
    timeZone: schedule?.timeZone ?? "UTC",
    webhookUrl: input.webhookUrl ?? null,
    // A webhook is always signed: a secret is made when none is given.
    webhookSecret: input.webhookUrl ? (input.webhookSecret ?? crypto.randomBytes(24).toString("base64url")) : null,
    slackUrl: input.slackUrl ?? null,
    emailTo: [...new Set(input.emailTo)],
  };
}

export async function createRule(scope: Scope, actor: string, input: RuleInput): Promise<RuleView> {
  const data = await columns(scope, input);
  if ((await prisma().alertRule.count({ where: { ownerId: data.ownerId } })) >= MAX_RULES_PER_OWNER)
    throw new AppError(
      "too_many_rules",
      409,
      `at most ${MAX_RULES_PER_OWNER} rules ${data.ownerId ? "per owner" : "for every store"}; remove one first`,
    );
  // A schedule counts from now: a rule made at 10:00 for 09:00 sends its first report tomorrow.
  const row = await prisma().alertRule.create({
    data: { ...data, lastRunFor: new Date(), createdBy: actor },
    include: { owner: { select: { slug: true, name: true } } },
  });
  return view(row, actor, scope);
}

/** The rule with this id if `scope` manages it; else 404 (as if it did not exist). */
async function managed(scope: Scope, id: string): Promise<AlertRule> {
  const row = z.string().uuid().safeParse(id).success ? await prisma().alertRule.findUnique({ where: { id } }) : null;
  if (!row || (!scope.all && (row.ownerId === null || !scope.ownerIds.includes(row.ownerId))))
    throw new AppError(
      "rule_not_found",
      404,
      id === DEFAULT_RULE_ID ? "the default rule comes from the environment; change ALERT_* there" : `no rule ${id}`,
    );
  return row;
}

/** Replaces a rule's settings; a report rule whose schedule changes starts counting from now. */
export async function updateRule(scope: Scope, actor: string, id: string, input: RuleInput): Promise<RuleView> {
  const before = await managed(scope, id);
  const data = await columns(scope, input);
  if (input.webhookUrl && !input.webhookSecret && before.webhookSecret) data.webhookSecret = before.webhookSecret;
  if (data.ownerId !== before.ownerId && (await prisma().alertRule.count({ where: { ownerId: data.ownerId } })) >= MAX_RULES_PER_OWNER)
    throw new AppError("too_many_rules", 409, `at most ${MAX_RULES_PER_OWNER} rules ${data.ownerId ? "per owner" : "for every store"}`);
  const rescheduled =
    data.schedule !== before.schedule ||
    data.atTime !== before.atTime ||
    data.weekday !== before.weekday ||
    data.timeZone !== before.timeZone;
  const row = await prisma().alertRule.update({
    where: { id },
    data: { ...data, ...(rescheduled ? { lastRunFor: new Date() } : {}) },
    include: { owner: { select: { slug: true, name: true } } },
  });
  return view(row, actor, scope);
}

export async function deleteRule(scope: Scope, id: string): Promise<void> {
  await managed(scope, id);
  await prisma().alertRule.delete({ where: { id } });
}

/**
 * Claims a report rule's scheduled time `due` for whoever runs it, in `client`'s transaction: true unless another
 * worker has claimed it (or a later one) already. With the report made in the same transaction, a run that fails
 * leaves the time unclaimed, to be tried again.
 */
export async function claimScheduledRun(client: pg.ClientBase, ruleId: string, due: Date): Promise<boolean> {
  const { rowCount } = await client.query(
    "UPDATE alert_rules SET last_run_for = $2 WHERE id = $1 AND (last_run_for IS NULL OR last_run_for < $2)",
    [ruleId, due],
  );
  return rowCount === 1;
}

/** A rule its manager may test (the environment's for admins). */
export async function ruleToTest(scope: Scope, id: string): Promise<Rule> {
  if (id === DEFAULT_RULE_ID && scope.all) return defaultRule();
  return ruleFromRow(await managed(scope, id));
}
