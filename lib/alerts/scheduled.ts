import { inTransaction } from "../db/pool";
import { prisma } from "../db/prisma";
import { recordReport } from "../reports/create";
import { sendDeliveryJobs } from "./queue";
import { rulesOfKind } from "./rules";
import { lastDue } from "./schedule";

/**
 * Sends the reports whose time has come: for each report rule whose last scheduled time (in its zone) is past and
 * not yet served, a report is generated and one notification per channel recorded, to go out with the report's
 * link once it is complete. Missed times (no worker running) are made up once, by the latest. Safe with several
 * workers: a rule's time is claimed by one compare-and-set before anything is made.
 */
export async function sendScheduledReports(now = new Date()): Promise<string[]> {
  const made: string[] = [];
  for (const rule of await rulesOfKind("report")) {
    const due = lastDue(rule.schedule!, now);
    if (rule.lastRunFor && due <= rule.lastRunFor) continue;
    const claimed = await prisma().alertRule.updateMany({
      where: { id: rule.id, OR: [{ lastRunFor: null }, { lastRunFor: { lt: due } }] },
      data: { lastRunFor: due },
    });
    if (claimed.count === 0) continue; // another worker has it
    await inTransaction(async (client) => {
      const reportId = await recordReport(client);
      const { rows } = await client.query<{ id: string }>(
        "INSERT INTO alert_deliveries (report_id, event, channel) SELECT $1, 'report', unnest($2::text[]) RETURNING id",
        [reportId, rule.channels.map((c) => c.name)],
      );
      await sendDeliveryJobs(rows.map((r) => Number(r.id)), client);
      made.push(reportId);
    });
  }
  return made;
}
