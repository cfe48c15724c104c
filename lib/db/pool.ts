import pg from "pg";
import { databaseUrl } from "../env";
import { logConnectionError } from "./shutdown";

// int8 values this project reads are epoch microseconds and counts, all well inside 2^53.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const globalForPool = globalThis as unknown as { storemonPool?: pg.Pool };

/** The one connection pool of this process. */
export function pool(): pg.Pool {
  if (!globalForPool.storemonPool) {
    const created = new pg.Pool({ connectionString: databaseUrl(), max: 10, types });
    created.on("error", (e) => logConnectionError("[db] idle client error:", e));
    globalForPool.storemonPool = created;
  }
  return globalForPool.storemonPool;
}

export async function closePool(): Promise<void> {
  const current = globalForPool.storemonPool;
  globalForPool.storemonPool = undefined;
  await current?.end();
}

/** Runs `work` in one transaction on one connection: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>, begin = "BEGIN"): Promise<T> {
  const client = await pool().connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
