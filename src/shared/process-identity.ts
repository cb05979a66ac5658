import { readFileSync } from "node:fs";

/**
 * A pid alone is not proof of identity: after a reboot or wrap-around the pid may
 * belong to another process. We pair it with the process start time, read from
 * /proc on Linux and from `ps` elsewhere; the token is only ever compared for equality.
 */
export function processStartToken(pid: number): string | null {
  if (process.platform === "linux") return linuxStartToken(pid);
  return psStartToken(pid);
}

let bootId: string | undefined;

function linuxStartToken(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const startTicks = fields[19];
    // A zombie has exited; only its exit status is left for the parent to collect.
    if (!startTicks || fields[0] === "Z") return null;
    bootId ??= readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return `${bootId}:${startTicks}`;
  } catch {
    return null;
  }
}

/**
 * `ps` in the C locale, so its start time (`lstart`) is always the same 24 characters,
 * "Tue Dec  1 12:40:53 2026", whether read for one pid or in a listing of all.
 */
export const PS_ENV: Readonly<Record<string, string>> = Object.freeze({ LC_ALL: "C" });

/** The start time `ps` gives one pid (how macOS tells a process from a reused pid). */
export function psStartToken(pid: number): string | null {
  const out = Bun.spawnSync(["ps", "-o", "lstart=", "-p", String(pid)], {
    stdout: "pipe",
    stderr: "ignore",
    env: { ...PS_ENV },
  });
  const text = out.stdout.toString().trim();
  return out.exitCode === 0 && text ? text : null;
}

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (process.platform === "linux" && linuxStartToken(pid) === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but another user's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when `pid` is alive and still the process that had `startToken`. */
export function isSameProcessAlive(pid: number, startToken: string | null): boolean {
  if (!isPidAlive(pid)) return false;
  if (startToken === null) return true;
  return processStartToken(pid) === startToken;
}
