import { closePool } from "../lib/db/pool";
import { disconnectPrisma } from "../lib/db/prisma";
import { prepareDatabase } from "../lib/db/prepare";
import { AppError } from "../lib/errors";

/** Parses `--name value` and `--flag` arguments; the rest are positional. */
export function parseArgs(argv: string[]): { positional: string[]; options: Map<string, string | true> } {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) options.set(name, inline);
    else if (next !== undefined && !next.startsWith("--")) options.set(name, argv[++i]!);
    else options.set(name, true);
  }
  return { positional, options };
}

/** Runs a command against the prepared database, printing errors plainly and exiting non-zero on failure. */
export async function runCommand(main: () => Promise<void>, { database = true } = {}): Promise<void> {
  const prepared = database ? await prepareDatabase() : null;
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
