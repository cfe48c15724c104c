import { z } from "zod";

// The alerts' shapes in the API: rules as their managers send and see them, sample results, incidents.

/** How often a report rule sends: every day or every week. */
export const EVERY = ["day", "week"] as const;

/** What a rule does: tell of incidents, or send a report on a schedule (every day or week). */
export const RULE_KINDS = ["incidents", "report"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

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

/** A rule as its managers see it: the owner by slug, the webhook's secret (they set it up at the receiver). */
export const ruleView = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(RULE_KINDS),
    owner: z.object({ slug: z.string(), name: z.string() }).nullable(),
    stores: z.array(z.string()),
    afterMinutes: z.number(),
    noDataMinutes: z.number().nullable(),
    schedule: z
      .object({
        every: z.enum(EVERY),
        at: z.string(),
        weekday: z.number().int().nullable().meta({ description: WEEKDAY_DESCRIPTION }),
        timeZone: z.string(),
      })
      .nullable(),
    webhookUrl: z.string().nullable(),
    webhookSecret: z.string().nullable().meta({ description: "Shown to admins and to the rule's maker only" }),
    slackUrl: z.string().nullable(),
    emailTo: z.array(z.string()),
    nextReportAt: z.string().nullable().meta({ description: "Report rules: when the next report is due" }),
    createdBy: z.string(),
    createdAt: z.string(),
    fromEnvironment: z.boolean().meta({ description: "The environment's rule: shown, not editable" }),
    warnings: z.array(z.string()).meta({ description: "What cannot work as the server is set up, in words (e-mail without SMTP_URL)" }),
  })
  .meta({ id: "AlertRule" });
export type RuleView = z.infer<typeof ruleView>;

/** What each of a rule's receivers said to a sample notification. */
export const sampleResults = z.object({
  results: z.array(z.object({ channel: z.string(), target: z.string(), ok: z.boolean(), error: z.string().nullable() })),
});
export type SampleResults = z.infer<typeof sampleResults>;

/** An incident's kinds: the store down within its business hours, or no poll from it then. */
export const INCIDENT_KINDS = ["down", "no_data"] as const;

/** One notification of an incident to one channel, in words: where to, its state, its attempts and last error. */
export const deliveryView = z
  .object({
    event: z.string().meta({ description: "opened or resolved" }),
    channel: z.string().meta({ description: 'The channel in words: "webhook of the rule Night shift"' }),
    state: z.enum(["delivered", "waiting", "failing", "skipped"]),
    attempts: z.number().int(),
    lastAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    error: z.string().nullable().meta({ description: "Why it failed (or waits), or why it was skipped" }),
  })
  .meta({ id: "IncidentDelivery" });
export type DeliveryView = z.infer<typeof deliveryView>;

export const incidentView = z
  .object({
    id: z.string(),
    storeId: z.string(),
    name: z.string().nullable(),
    timeZone: z.string().meta({ description: "The store's zone (IANA)" }),
    kind: z
      .enum(INCIDENT_KINDS)
      .meta({ description: "down: the store is down in its business hours; no_data: no poll has come in its business hours" }),
    startedAt: z.string(),
    openedAt: z.string(),
    resolvedAt: z.string().nullable(),
    downSeconds: z.number().int().meta({ description: "Seconds down, so far for an open one" }),
    delivered: z.number().int().meta({ description: "Notifications sent" }),
    pending: z.number().int().meta({ description: "Notifications waiting or failing" }),
    skipped: z.number().int().meta({ description: "Notifications not sent because the store was muted" }),
    lastError: z.string().nullable(),
    deliveries: z.array(deliveryView).meta({ description: "Each notification of it the caller may see, with what became of it" }),
    acknowledgement: z
      .object({ by: z.string(), at: z.string(), note: z.string().nullable() })
      .nullable()
      .meta({ description: "Who acknowledged it, when, with their note; null: not acknowledged" }),
  })
  .meta({ id: "Incident" });
export type IncidentView = z.infer<typeof incidentView>;

/** How long a store is muted: an hour, four, until its next opening on a later day, or until a chosen instant. */
export const MUTE_FOR = ["1h", "4h", "next_opening"] as const;
/** The longest a mute may last. */
export const MAX_MUTE_DAYS = 30;

export const muteInput = z
  .object({
    for: z.enum(MUTE_FOR).optional().meta({ description: "1h, 4h, or next_opening: the store's first opening on a later local day" }),
    until: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: `An instant (ISO 8601), within ${MAX_MUTE_DAYS} days; instead of for` }),
  })
  .refine((m) => (m.for === undefined) !== (m.until === undefined), {
    message: "give either for (1h, 4h, next_opening) or until",
    path: ["for"],
  });
export type MuteInput = z.infer<typeof muteInput>;

export const muteView = z
  .object({
    storeId: z.string(),
    name: z.string().nullable(),
    timeZone: z.string().meta({ description: "The store's zone, for showing until in it" }),
    by: z.string(),
    at: z.string(),
    until: z.string(),
  })
  .meta({ id: "StoreMute" });
export type MuteView = z.infer<typeof muteView>;

export const acknowledgeInput = z.object({ note: z.string().trim().max(280).optional() }).default({});
