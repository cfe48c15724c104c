import { parseArgs, type ParseArgsConfig } from "node:util";
import { closePool } from "../lib/db/pool";
import { disconnectPrisma } from "../lib/db/prisma";
import { prepareDatabase } from "../lib/db/prepare";
import { createQueues } from "../lib/jobs/queue";
import { AppError } from "../lib/errors";

/**
 * The command's arguments, by node:util's parseArgs (strict: an unknown option, or one without its value, is an
 * error). A wrong one prints what was wrong and the usage, and exits 2.
 */
export function commandArgs<const O extends NonNullable<ParseArgsConfig["options"]>>(options: O, usage: string) {
  try {
    return parseArgs({ args: process.argv.slice(2), options, allowPositionals: true, strict: true });
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
}

/** A whole number of at least 1 from an option, or the fallback when it is not given. */
export function positiveInteger(name: string, raw: string | undefined, fallback?: number): number {
  if (raw === undefined && fallback !== undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer (got ${String(raw)})`);
  return n;
}

/** Runs a command against the prepared database, printing errors plainly and exiting non-zero on failure. */
export async function runCommand(main: () => Promise<void>, { database = true } = {}): Promise<void> {
  const prepared = database ? await prepareDatabase(createQueues) : null;
  let code = 0;
  try {
    await main();
  } catch (e) {
    code = 1;
    console.error(e instanceof AppError || (e instanceof Error && e.name === "UsageError") ? e.message : e);
  } finally {
    await closePool();
    await disconnectPrisma();
    await prepared?.stop();
  }
  process.exit(code);
}

export class UsageError extends Error {
  override name = "UsageError";
}
