import { inTransaction } from "../db/pool";
import { recordReport } from "../reports/create";
import { sendDeliveryJobs } from "./deliver";
import { claimScheduledRun, rulesOfKind } from "./rules";
import { lastDue } from "./schedule-times";

/**
 * Sends the reports whose time has come: every report rule whose last scheduled time (in its zone) is past and not
 * yet served is claimed, one report is generated for all of them, and one notification per channel recorded, to
 * go out with the report's link once it is complete; all in one transaction, so that a failure leaves the times
 * unclaimed for the next round, and another worker's round finds them claimed. Missed times (no worker running)
 * are made up once, by the latest. Returns the report made, if any.
 */
export async function sendScheduledReports(now = new Date()): Promise<string[]> {
  const due = (await rulesOfKind("report"))
    .map((rule) => ({ rule, at: lastDue(rule.schedule!, now) }))
    .filter(({ rule, at }) => !rule.lastRunFor || at > rule.lastRunFor);
  if (due.length === 0) return [];
  return inTransaction(async (client) => {
    const claimed = [];
    for (const { rule, at } of due) if (await claimScheduledRun(client, rule.id, at)) claimed.push(rule);
    if (claimed.length === 0) return [];
    // One report serves every rule due in this round; each is told its own owner's figures, and links to its rows.
    const reportId = await recordReport(client);
    const { rows } = await client.query<{ id: string }>(
      "INSERT INTO alert_deliveries (report_id, event, channel) SELECT $1, 'report', unnest($2::text[]) RETURNING id",
      [reportId, claimed.flatMap((rule) => rule.channels.map((c) => c.name))],
    );
    await sendDeliveryJobs(
      rows.map((r) => Number(r.id)),
      client,
    );
    return [reportId];
  });
}
