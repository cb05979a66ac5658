import { closeSync, openSync } from "node:fs";

type OnExit = (child: { pid: number }, exitCode: number | null, signalCode: number | null | string) => void;

/**
 * Starts `command` in a process group of its own, its output appended to `logFile`
 * (created 0600), so it outlives whoever started it and keeps a record of what it said.
 */
export function spawnDetached(command: string[], logFile: string, options: { cwd?: string; onExit?: OnExit } = {}) {
  const logFd = openSync(logFile, "a", 0o600);
  try {
    return Bun.spawn(command, {
      cwd: options.cwd,
      detached: true,
      stdio: ["ignore", logFd, logFd],
      onExit: options.onExit,
    });
  } finally {
    closeSync(logFd);
  }
}
