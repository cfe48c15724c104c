import type pg from "pg";
import type { Scope } from "../auth/scope";
import { rollbackAndRelease } from "../db/pool";
import { readPoolAsOf } from "../db/replica";
import { AppError } from "../errors";
import type { StoreHistoryView } from "../api/views/reports";
import { loadStoreData } from "../reports/store-data";
import { dailyDurations, DEFAULT_TIME_ZONE, uptimePercent, ZoneClocks } from "../uptime";
import { beginStoreRead } from "./timeline";

const DAY = 86_400e6;

/**
 * A store's business-hours uptime for each local date of the `days` days before the as-of instant (the
 * report's, or the newest poll's), by the report's engine. Dates without business hours have no percentage.
 */
export async function storeHistoryView(
  storeId: string,
  days: number,
  reportId: string | undefined,
  scope: Scope,
): Promise<StoreHistoryView> {
  const client: pg.PoolClient = await (await readPoolAsOf(reportId)).connect();
  let now: number, store;
  try {
    now = await beginStoreRead(client, storeId, reportId, scope);
    [store] = await loadStoreData(client, [storeId], now - days * DAY, now);
    await client.query("COMMIT");
  } catch (e) {
    await rollbackAndRelease(client, e);
    throw e;
  }
  client.release(); // the rest is computation
  const daily = dailyDurations(store!, now - days * DAY, now, new ZoneClocks());
  if (!daily) throw new AppError("store_not_found", 404, `no store ${storeId} with polls`);
  return {
    storeId,
    timeZone: store!.timeZone ?? DEFAULT_TIME_ZONE,
    asOf: new Date(Math.floor(now / 1000)).toISOString(),
    days: daily.map((d) => ({
      date: new Date(d.epochDay * 86_400_000).toISOString().slice(0, 10),
      upHours: Math.round(d.up / 36e6) / 100,
      downHours: Math.round(d.down / 36e6) / 100,
      uptimePercent: d.polls === 0 ? null : uptimePercent(d.up, d.down),
      polls: d.polls,
    })),
  };
}
