import fs from "node:fs";

// Which processes a launcher runs, read from Linux's /proc: the supervisor test and `npm run chaos` find the
// web server and the workers there (by the bundle they run), whatever the launcher logs.

export interface ProcessInfo {
  pid: number;
  command: string;
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return ""; // the process has gone
  }
}

/** The live processes under `pid`, at any depth (zombies, with no command line, left out). */
export function descendants(pid: number): ProcessInfo[] {
  const tasks = fs.existsSync(`/proc/${pid}/task`) ? fs.readdirSync(`/proc/${pid}/task`) : [];
  const children = tasks.flatMap((task) => read(`/proc/${pid}/task/${task}/children`).split(" ").filter(Boolean).map(Number));
  return children.flatMap((child) => {
    const command = read(`/proc/${child}/cmdline`).split("\0").join(" ").trim();
    return command ? [{ pid: child, command }, ...descendants(child)] : [];
  });
}

/** The web server's (`web`) or the workers' (`worker`) processes under `pid`. */
export function appProcesses(pid: number, role: "web" | "worker"): number[] {
  return descendants(pid)
    .filter((p) => p.command.includes(`dist/${role}.mjs`))
    .map((p) => p.pid);
}

/** Whether `pid` runs (a zombie, dead but not yet reaped by its parent, does not). */
export function isAlive(pid: number): boolean {
  const state = read(`/proc/${pid}/stat`).split(") ")[1]?.[0];
  return state !== undefined && state !== "Z";
}
