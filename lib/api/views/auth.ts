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

export const personView = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(PERSON_ROLES),
    owners: z.array(z.object({ id: z.string(), slug: z.string(), name: z.string() })),
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
  })
  .meta({ id: "Viewer" });
export type Viewer = z.infer<typeof viewerSchema>;
