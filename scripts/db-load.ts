// npm run db:load -- <dir> [--replace]: loads store_status.csv, menu_hours.csv and timezones.csv from <dir>.
import { feedSourcesInDirectory, loadFeeds } from "../lib/feeds/load";
import { commandArgs, runCommand, UsageError } from "./cli";

const usage = "usage: npm run db:load -- <dir> [--replace]";
const { values, positionals } = commandArgs({ replace: { type: "boolean" } }, usage);

await runCommand(async () => {
  const dir = positionals[0];
  if (!dir || positionals.length > 1) throw new UsageError(usage);
  const results = await loadFeeds(feedSourcesInDirectory(dir), { replace: values.replace === true, actor: "cli" });
  for (const r of results) {
    const replaced = r.storesReplaced === undefined ? "" : `, replaced ${r.storesReplaced} stores' rows`;
    console.log(
      `${r.file} (${r.kind}): ${r.rowsRead} read, ${r.rowsAdded} added, ${r.rowsDuplicate} duplicate${replaced} in ${r.seconds.toFixed(1)} s`,
    );
  }
});
