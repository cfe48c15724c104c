import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "./generated/client";
import { pool } from "./pool";

const globalForPrisma = globalThis as unknown as { storemonPrisma?: { client: PrismaClient; pool: pg.Pool } };

/**
 * The one Prisma client of this process, on the process's pool (so it has the same timeouts, and an
 * outage is seen once), cached on globalThis so dev reloads do not open new pools.
 */
export function prisma(): PrismaClient {
  const current = pool();
  if (globalForPrisma.storemonPrisma?.pool !== current)
    globalForPrisma.storemonPrisma = { client: new PrismaClient({ adapter: new PrismaPg(current) }), pool: current };
  return globalForPrisma.storemonPrisma.client;
}

export async function disconnectPrisma(): Promise<void> {
  const current = globalForPrisma.storemonPrisma;
  globalForPrisma.storemonPrisma = undefined;
  await current?.client.$disconnect();
}
