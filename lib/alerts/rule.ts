import { env } from "../env";
import type { AlertRule } from "../db/generated/client";
import type { RuleKind } from "../api/views/alerts";
import type { Schedule } from "./schedule-times";

// What an alert rule is: which stores, after how long, and where to tell; or, for a report rule, when to send a
// report. Rules are kept in alert_rules (managed in rules.ts), plus the fleet's default rule from the environment
// (ALERT_WEBHOOK_URL, ALERT_SLACK_WEBHOOK_URL, ALERT_EMAIL_TO), which every evaluation applies and nobody edits in
// the dashboard. How the API takes and shows a rule: lib/api/views/alerts.ts.

/** Where one notification goes: a signed JSON webhook, a Slack-compatible incoming webhook, or e-mail. */
export type Channel =
  | { name: string; kind: "webhook"; url: string; secret: string | undefined }
  | { name: string; kind: "slack"; url: string }
  | { name: string; kind: "email"; to: string[] };

export interface Rule {
  /** "default" for the rule from the environment. */
  id: string;
  name: string;
  kind: RuleKind;
  /** The owner whose stores it covers; null: every store. */
  ownerId: string | null;
  /** Stores within that range; empty: all of them. */
  storeIds: ReadonlySet<string>;
  afterMinutes: number;
  /** null: the rule does not tell of stores that send no polls. */
  noDataMinutes: number | null;
  schedule: Schedule | null;
  lastRunFor: Date | null;
  createdAt: Date;
  channels: Channel[];
}

export const DEFAULT_RULE_ID = "default";

function channelsOf(
  id: string,
  c: { webhookUrl?: string | null; webhookSecret?: string | null; slackUrl?: string | null; emailTo?: readonly string[] },
): Channel[] {
  const all: Channel[] = [];
  if (c.webhookUrl) all.push({ name: `webhook:${id}`, kind: "webhook", url: c.webhookUrl, secret: c.webhookSecret ?? undefined });
  if (c.slackUrl) all.push({ name: `slack:${id}`, kind: "slack", url: c.slackUrl });
  if (c.emailTo?.length) all.push({ name: `email:${id}`, kind: "email", to: [...c.emailTo] });
  return all;
}

/** The fleet's rule from the environment: every store, ALERT_AFTER_MINUTES, ALERT_NO_DATA_MINUTES, its channels. */
export function defaultRule(): Rule {
  const e = env();
  return {
    id: DEFAULT_RULE_ID,
    name: "Default (from the environment)",
    kind: "incidents",
    ownerId: null,
    storeIds: new Set(),
    afterMinutes: e.ALERT_AFTER_MINUTES,
    noDataMinutes: e.ALERT_NO_DATA_MINUTES,
    schedule: null,
    lastRunFor: null,
    createdAt: new Date(0),
    channels: channelsOf(DEFAULT_RULE_ID, {
      webhookUrl: e.ALERT_WEBHOOK_URL,
      webhookSecret: e.ALERT_WEBHOOK_SECRET,
      slackUrl: e.ALERT_SLACK_WEBHOOK_URL,
      emailTo: e.ALERT_EMAIL_TO,
    }),
  };
}

/** A stored rule as the evaluation and deliveries use it. */
export function ruleFromRow(r: AlertRule): Rule {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as Rule["kind"],
    ownerId: r.ownerId,
    storeIds: new Set(r.storeIds),
    afterMinutes: r.afterMinutes,
    noDataMinutes: r.noDataMinutes,
    schedule: r.schedule
      ? { every: r.schedule === "weekly" ? "week" : "day", at: r.atTime!, weekday: r.weekday, timeZone: r.timeZone }
      : null,
    lastRunFor: r.lastRunFor,
    createdAt: r.createdAt,
    channels: channelsOf(r.id, r),
  };
}

/** Whether a rule covers a store (whose owner is `ownerId`). */
export function covers(rule: Rule, storeId: string, ownerId: string | null): boolean {
  return (rule.ownerId === null || rule.ownerId === ownerId) && (rule.storeIds.size === 0 || rule.storeIds.has(storeId));
}
