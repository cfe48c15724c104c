// npm run db:load -- <dir> [--replace]: loads store_status.csv, menu_hours.csv and timezones.csv from <dir>.
import { feedSourcesInDirectory, loadFeeds } from "../lib/feeds/load";
import { parseArgs, runCommand, UsageError } from "./cli";

const { positional, options } = parseArgs(process.argv.slice(2));

await runCommand(async () => {
  const dir = positional[0];
  if (!dir || positional.length > 1) throw new UsageError("usage: npm run db:load -- <dir> [--replace]");
  const results = await loadFeeds(feedSourcesInDirectory(dir), { replace: options.has("replace"), actor: "cli" });
  for (const r of results) {
    const replaced = r.storesReplaced === undefined ? "" : `, replaced ${r.storesReplaced} stores' rows`;
    console.log(
      `${r.file} (${r.kind}): ${r.rowsRead} read, ${r.rowsAdded} added, ${r.rowsDuplicate} duplicate${replaced} in ${r.seconds.toFixed(1)} s`,
    );
  }
});
