import { prisma } from "../db/prisma";

export interface ImportEntry {
  id: number;
  fileName: string;
  kind: string;
  actor: string;
  startedAt: string;
  finishedAt: string | null;
  rowsRead: number;
  rowsAdded: number;
  rowsDuplicate: number;
  rowsRejected: number;
  outcome: string;
  message: string | null;
}

/** The import log, newest first. */
export async function importHistory(limit = 50): Promise<ImportEntry[]> {
  const entries = await prisma().importLog.findMany({ orderBy: { id: "desc" }, take: limit });
  return entries.map((e) => ({ ...e, startedAt: e.startedAt.toISOString(), finishedAt: e.finishedAt?.toISOString() ?? null }));
}
