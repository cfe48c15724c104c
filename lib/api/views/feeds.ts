import { z } from "zod";
import { FEED_KINDS } from "./feed-kinds";

// The feeds' shapes in the API: a load's result, the import log's entries (their kinds: feed-kinds.ts).

export const feedLoadResult = z
  .object({
    file: z.string(),
    kind: z.enum(FEED_KINDS),
    rowsRead: z.number().int(),
    rowsAdded: z.number().int(),
    rowsDuplicate: z.number().int(),
    storesReplaced: z
      .number()
      .int()
      .optional()
      .meta({ description: "Business hours and time zones: the stores whose earlier rows this file replaced" }),
    seconds: z.number(),
  })
  .meta({ id: "FeedLoadResult" });
export type FeedLoadResult = z.infer<typeof feedLoadResult>;

export const importEntry = z
  .object({
    id: z.number().int(),
    fileName: z.string(),
    kind: z.string(),
    actor: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    rowsRead: z.number().int(),
    rowsAdded: z.number().int(),
    rowsDuplicate: z.number().int(),
    rowsRejected: z.number().int(),
    outcome: z.string(),
    message: z.string().nullable(),
  })
  .meta({ id: "Import" });
export type ImportEntry = z.infer<typeof importEntry>;
