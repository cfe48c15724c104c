import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A temporary directory holding the given files (name -> content). */
export function feedDir(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-feeds-"));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}
