import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { databaseUrl } from "../env";

const globalForPrisma = globalThis as unknown as { storemonPrisma?: PrismaClient };

/** The one Prisma client of this process (cached on globalThis so dev reloads do not open new pools). */
export function prisma(): PrismaClient {
  globalForPrisma.storemonPrisma ??= new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl(), max: 5 }),
  });
  return globalForPrisma.storemonPrisma;
}

export async function disconnectPrisma(): Promise<void> {
  const current = globalForPrisma.storemonPrisma;
  globalForPrisma.storemonPrisma = undefined;
  await current?.$disconnect();
}
