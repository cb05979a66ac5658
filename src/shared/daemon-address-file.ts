import { readFileSync, rmSync } from "node:fs";
import { writePrivateFile } from "./private-file.ts";
import { z } from "zod";

/**
 * `daemon.json` in the home: where the running daemon listens, written by the daemon
 * alone (0600, atomically) once it serves, and removed when it stops. A session reads
 * it at start and at every reconnect instead of the daemon's database, so a session
 * never opens, migrates or moves that file, whatever schema the daemon runs. Secrets
 * stay in their own files (p2p.secret, control.key), read next to it.
 * `format` counts incompatible changes of this file; new fields are optional.
 */
export const DaemonAddressFile = z.object({
  format: z.literal(1),
  pid: z.number().int().positive(),
  /** With the pid, tells the daemon from a later process that got its pid. */
  pidStart: z.string().max(100).nullable(),
  version: z.string().max(100),
  p2pHost: z.string().min(1).max(255),
  p2pPort: z.number().int().min(1).max(65535),
  controlPort: z.number().int().min(1).max(65535),
  machineId: z.string().max(200).nullable(),
  startedAt: z.string().max(100),
});
export type DaemonAddressFile = z.infer<typeof DaemonAddressFile>;

/** The file as the daemon last wrote it; null when it is missing or not ours to read. */
export function readDaemonAddressFile(file: string): DaemonAddressFile | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  try {
    const parsed = DaemonAddressFile.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Temp file (0600) + fsync + rename + fsync of the folder: a reader sees the old file or the new, whole. */
export function writeDaemonAddressFile(file: string, address: DaemonAddressFile): void {
  writePrivateFile(file, JSON.stringify(address) + "\n");
}

/** At shutdown: removed only while it still names this process (a successor may have written its own). */
export function removeDaemonAddressFile(file: string, pid: number): void {
  if (readDaemonAddressFile(file)?.pid === pid) rmSync(file, { force: true });
}
