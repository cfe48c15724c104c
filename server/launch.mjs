// npm start: builds once when there is no build yet, then runs the launcher (server/start.ts) from its bundle,
// dist/start.mjs, as the web server and the workers run from theirs: no TypeScript compiler stays in memory
// beside the app. (`npm run dev` runs the launcher from source, with next dev.)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const BUILT = [".next/BUILD_ID", "dist/web.mjs", "dist/worker.mjs", "dist/start.mjs"];
if (BUILT.some((file) => !fs.existsSync(file))) {
  console.log("No production build yet: running npm run build (once; run it again after changing the code).");
  const build = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
  if (build.error) console.error(`npm run build could not be started: ${build.error.message}`);
  if (build.status !== 0) process.exit(build.status ?? 1);
} else if (newestSource() > fs.statSync("dist/start.mjs").mtimeMs)
  console.log("The build is older than the code: starting the existing build; run npm run build to run the code as it is now.");
await import(pathToFileURL(path.resolve("dist/start.mjs")).href);

/** When the newest file of the app's code was changed. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "generated" || entry.name.startsWith(".")) continue;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|tsx|css)$/.test(entry.name) && !entry.name.endsWith(".test.ts")) newest = Math.max(newest, fs.statSync(file).mtimeMs);
    }
  };
  for (const dir of ["app", "components", "lib", "server"]) if (fs.existsSync(dir)) walk(dir);
  return newest;
}
