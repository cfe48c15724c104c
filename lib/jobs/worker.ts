import { listen } from "../db/notifications";
import { queue, stopQueue, WAKE_CHANNEL } from "./queue";
import { queueTable, type JobData, type QueueName } from "./queues";

/** What a worker does with each queue's jobs, one job at a time; a queue without a handler is not worked. */
export type JobHandlers = { [Q in QueueName]?: (data: JobData[Q]) => Promise<unknown> };

/**
 * Takes jobs from the queues the handlers name, as the queue table says (how often to look, how many at once;
 * waking queues are looked at again at once when a sender notifies and after each job). Returns a function that
 * stops taking them and stops the queue's client.
 */
export async function startJobs(handlers: JobHandlers): Promise<() => Promise<void>> {
  const boss = await queue({ supervise: true });
  const woken: string[] = [];
  for (const { name, work, wake } of queueTable()) {
    const handle = handlers[name] as ((data: unknown) => Promise<unknown>) | undefined;
    if (!handle) continue;
    // pg-boss waits out its polling interval even after a job; asking it to look again at once drains a
    // queue of jobs back to back.
    const id: string = await boss.work(name, work, async (jobs) => {
      for (const job of jobs) await handle(job.data);
      if (wake) boss.notifyWorker(id);
    });
    if (wake) woken.push(id);
  }
  const stopListening = await listen(WAKE_CHANNEL, () => woken.forEach((id) => boss.notifyWorker(id)));
  return async () => {
    await stopListening();
    await stopQueue();
  };
}
