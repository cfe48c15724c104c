import { z } from "zod";
import { prisma } from "../db/prisma";

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

/** The import log, newest first. */
export async function importHistory(limit = 50): Promise<ImportEntry[]> {
  const entries = await prisma().importLog.findMany({ orderBy: { id: "desc" }, take: limit });
  return entries.map((e) => ({ ...e, startedAt: e.startedAt.toISOString(), finishedAt: e.finishedAt?.toISOString() ?? null }));
}
