import { closeSync, openSync } from "node:fs";
import { rotateIfFull } from "./log.ts";

type OnExit = (child: { pid: number }, exitCode: number | null, signalCode: number | null | string) => void;

/**
 * Starts `command` in a process group of its own, its output appended to `logFile`
 * (created 0600), so it outlives whoever started it and keeps a record of what it said.
 * A full log is rotated first; a child keeps the file it was given, so one that runs
 * long goes on writing into `<log>.1` after the next rotation (what children print is a
 * few lines: the daemon's own lines go by path, see createLog).
 */
export function spawnDetached(command: string[], logFile: string, options: { cwd?: string; env?: Record<string, string>; onExit?: OnExit } = {}) {
  rotateIfFull(logFile);
  const logFd = openSync(logFile, "a", 0o600);
  try {
    return Bun.spawn(command, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", logFd, logFd],
      onExit: options.onExit,
    });
  } finally {
    closeSync(logFd);
  }
}
