import { z } from "zod";

// The accounts' shapes in the API: who may call an operation, service keys, people, the viewer of a page.

/**
 * admin: uploads and the admin pages; ingest: pushing polls; reports: reading and triggering reports; account:
 * what a signed-in person manages for themselves (their keys), which no key and no open mode gives; metrics:
 * GET /metrics (a `metrics:` key from API_KEYS, or an admin).
 */
export type Access = "admin" | "ingest" | "reports" | "account" | "metrics";

/** What a key made here may do: read reports, or send polls. */
export const KEY_SCOPES = ["reports", "ingest"] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export const apiKeyView = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: z.enum(KEY_SCOPES),
    owner: z.object({ slug: z.string(), name: z.string() }).nullable(),
    prefix: z.string().meta({ description: "The key's first characters, to tell keys apart" }),
    createdBy: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().meta({ description: "To the minute" }),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: "ApiKey" });
export type ApiKeyView = z.infer<typeof apiKeyView>;

export const PERSON_ROLES = ["admin", "member"] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** A member's standing in an owner: a plain member, or its manager (invites and removes the owner's people). */
export const MEMBER_ROLES = ["member", "manager"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const personView = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(PERSON_ROLES),
    owners: z.array(z.object({ id: z.string(), slug: z.string(), name: z.string(), role: z.enum(MEMBER_ROLES) })),
    active: z.boolean().meta({ description: "Whether they have chosen a password through their link yet" }),
    createdAt: z.string(),
  })
  .meta({ id: "Person" });
export type PersonView = z.infer<typeof personView>;

/** Who is looking at a page, for what the pages show them (what they may do is `authorize`'s to decide). */
export const viewerSchema = z
  .object({
    kind: z
      .enum(["open", "anonymous", "admin", "member"])
      .meta({ description: "open: no account or key exists, reports are open to anyone; anonymous: not signed in" }),
    name: z.string().nullable(),
    email: z.string().nullable(),
    owners: z.array(z.object({ slug: z.string(), name: z.string() })).meta({ description: "A member's owners" }),
    manages: z.array(z.object({ slug: z.string(), name: z.string() })).meta({ description: "The owners whose team a member manages" }),
  })
  .meta({ id: "Viewer" });
export type Viewer = z.infer<typeof viewerSchema>;

/** One of an owner's people, as its manager sees them (the Team page). */
export const teamMemberView = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(MEMBER_ROLES),
    active: z.boolean().meta({ description: "Whether they have chosen a password through their link yet" }),
    lastSignInAt: z.string().nullable().meta({ description: "Their latest sign-in still on record; null if none" }),
  })
  .meta({ id: "TeamMember" });
export type TeamMemberView = z.infer<typeof teamMemberView>;

/** How a password link reached its person: e-mailed (SMTP_URL set), or handed to whoever asked for it to pass on. */
export const linkDelivery = z
  .discriminatedUnion("by", [
    z.object({ by: z.literal("email"), to: z.string() }),
    z.object({
      by: z.literal("link"),
      link: z.string(),
      mailError: z.string().nullable().meta({ description: "Why the e-mail was not sent, when SMTP_URL is set and the server refused it" }),
    }),
    z.object({ by: z.literal("none").meta({ description: "No link: they have a password already" }) }),
  ])
  .meta({ id: "LinkDelivery" });
export type LinkDelivery = z.infer<typeof linkDelivery>;
