import { readFileSync } from "node:fs";

/** A process's CPU time so far, in ms (USER_HZ = 100): user + system, and user only; null once it is gone. */
export function processCpuMs(pid: number): { total: number; user: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [utime, stime] = [Number(fields[11]), Number(fields[12])];
    return { total: (utime + stime) * 10, user: utime * 10 };
  } catch {
    return null;
  }
}
