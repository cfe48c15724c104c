// The server bundles as `npm run build` makes them (server/bundle.mjs): what they still load from node_modules
// when a process starts.
import fs from "node:fs";
import { expect, it } from "vitest";

/** The packages `file` imports at run time (statically or dynamically), by the name it imports them by. */
function importedPackages(file: string): string[] {
  if (!fs.existsSync(file)) throw new Error(`No ${file}: run \`npm run build\` first (npm test does).`);
  const code = fs.readFileSync(file, "utf8");
  const specifiers = [...code.matchAll(/(?:\bfrom|\bimport\s*\(?)\s*"([^"]+)"/g)].map((m) => m[1]!);
  return [...new Set(specifiers.filter((s) => !s.startsWith(".") && !s.startsWith("node:")))].sort();
}

it.each(["dist/web.mjs", "dist/worker.mjs"])(
  "%s carries date-fns: Node.js 22 and 24 took 3 s and 500 MB to load its ES modules",
  (file) => {
    expect(importedPackages(file).filter((name) => name.startsWith("date-fns"))).toEqual([]);
  },
);
