import { readFileSync, writeFileSync } from "node:fs";

const MB = 1024 * 1024;

function statusField(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no ${field} for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * The peak resident memory of a process of ours while `work` runs, above what it held
 * before: Linux's high-water mark, reset first (`clear_refs` 5), so a page built and
 * freed between two samples still counts.
 */
export async function peakGrowthDuring(pid: number, work: () => Promise<unknown>): Promise<{ before: number; peak: number; growthMb: number }> {
  const before = statusField(pid, "VmRSS");
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
  await work();
  const peak = statusField(pid, "VmHWM");
  return { before, peak, growthMb: Math.round(((peak - before) / MB) * 10) / 10 };
}

export const rssMb = (pid: number) => Math.round((statusField(pid, "VmRSS") / MB) * 10) / 10;
