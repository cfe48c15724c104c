import { z } from "zod";
import { env } from "../env";
import type { AlertRule } from "../db/generated/client";
import { EVERY, type Schedule } from "./schedule-times";

// What an alert rule is: which stores, after how long, and where to tell; or, for a report rule, when to send a
// report. Rules are kept in alert_rules (managed in rules.ts), plus the fleet's default rule from the environment
// (ALERT_WEBHOOK_URL, ALERT_SLACK_WEBHOOK_URL, ALERT_EMAIL_TO), which every evaluation applies and nobody edits in
// the dashboard.

/** Where one notification goes: a signed JSON webhook, a Slack-compatible incoming webhook, or e-mail. */
export type Channel =
  | { name: string; kind: "webhook"; url: string; secret: string | undefined }
  | { name: string; kind: "slack"; url: string }
  | { name: string; kind: "email"; to: string[] };

/** What a rule does: tell of incidents, or send a report on a schedule (every day or week). */
export const RULE_KINDS = ["incidents", "report"] as const;
type RuleKind = (typeof RULE_KINDS)[number];

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

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((u) => /^https?:$/.test(new URL(u).protocol), "an http or https address");
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
/** Stores a rule may list: every minute's evaluation goes through them all. */
export const MAX_LISTED_STORES = 1000;
/** A weekly report's day, numbered as the business-hours feed numbers its days. */
export const WEEKDAY_DESCRIPTION = "Weekly reports: the day, 0 = Monday .. 6 = Sunday (as in the business-hours feed)";

/** A rule as its manager sends it (the body of a new rule, or of a change), checked. */
export const ruleInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(RULE_KINDS).default("incidents"),
    /** An owner's slug: the rule covers its stores. Absent: every store (admins only). */
    owner: z.string().max(40).nullish(),
    /** Store ids: only these (within the owner's, when one is named). */
    stores: z.array(z.string().trim().min(1).max(128)).max(MAX_LISTED_STORES).default([]),
    afterMinutes: z.number().int().min(1).max(1440).default(15),
    noDataMinutes: z.number().int().min(1).max(10080).nullish(),
    schedule: z
      .object({
        every: z.enum(EVERY),
        at: z.string().regex(TIME, "HH:MM, 24-hour"),
        weekday: z.number().int().min(0).max(6).nullish().meta({ description: WEEKDAY_DESCRIPTION }),
        timeZone: z.string().max(64).default("UTC"),
      })
      .nullish(),
    webhookUrl: httpUrl.nullish(),
    webhookSecret: z.string().min(16).max(200).nullish(),
    slackUrl: httpUrl.nullish(),
    emailTo: z.array(z.string().trim().email().max(254)).max(20).default([]),
  })
  .superRefine((r, ctx) => {
    if (!r.webhookUrl && !r.slackUrl && r.emailTo.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["webhookUrl"],
        message: "a rule needs a channel: a webhook, a Slack-compatible webhook or an e-mail address",
      });
    if (r.kind === "report" && r.stores.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["stores"],
        message: "a report rule covers an owner's stores, or every store: it takes no list",
      });
    if (r.kind === "report" && !r.schedule)
      ctx.addIssue({ code: "custom", path: ["schedule"], message: "a report rule needs a schedule (every day or week, at a time)" });
    if (r.kind === "report" && r.schedule?.every === "week" && r.schedule.weekday == null)
      ctx.addIssue({
        code: "custom",
        path: ["schedule", "weekday"],
        message: "a weekly report needs a weekday (0 = Monday ... 6 = Sunday)",
      });
    if (r.schedule && !isTimeZone(r.schedule.timeZone))
      ctx.addIssue({
        code: "custom",
        path: ["schedule", "timeZone"],
        message: `${JSON.stringify(r.schedule.timeZone)} is not an IANA time zone such as America/Chicago`,
      });
  });
export type RuleInput = z.infer<typeof ruleInput>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
