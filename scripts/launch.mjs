// npm start: builds once when there is no build yet, then runs the launcher (scripts/start.ts) from its bundle,
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
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import(pathToFileURL(path.resolve("dist/start.mjs")).href);
