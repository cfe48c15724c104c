import type pg from "pg";
import { queue } from "../reports/queue";

/** Evaluates incidents: every minute for every active store (scheduled), and for the stores new polls touch. */
export const ALERT_EVALUATE_QUEUE = "alert-evaluate";
export const ALERT_EVALUATE_CRON = "* * * * *";
/** Sends one recorded notification; retried with backoff when the receiver fails. */
export const ALERT_DELIVERY_QUEUE = "alert-delivery";
export const DELIVERY_RETRIES = 8;
/** Seconds a sending may take (a receiver gets 10) before the queue gives it to another worker. */
export const DELIVERY_EXPIRE_SECONDS = 30;

export interface EvaluateJob {
  /** The stores to look at; absent: every active store. */
  storeIds?: string[];
}

export interface DeliveryJob {
  deliveryId: number;
}

/** Queues the sending of recorded notifications, in `client`'s transaction (sent only if it commits). */
export async function sendDeliveryJobs(deliveryIds: number[], client: pg.ClientBase): Promise<void> {
  const boss = await queue();
  const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
  for (const deliveryId of deliveryIds) await boss.send(ALERT_DELIVERY_QUEUE, { deliveryId } satisfies DeliveryJob, { db });
}

/** Asks a worker to evaluate these stores now (new polls arrived for them; null: every active store). */
export async function sendEvaluation(storeIds: string[] | null): Promise<void> {
  if (storeIds?.length === 0) return;
  await (await queue()).send(ALERT_EVALUATE_QUEUE, (storeIds ? { storeIds } : {}) satisfies EvaluateJob);
}
