import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { z } from "zod";
import { isSameProcessAlive, processStartToken } from "../shared/process-identity.ts";

const LockContent = z.object({ pid: z.number().int(), pidStart: z.string().nullable() });
export type LockHolder = z.infer<typeof LockContent>;

export type Lock = { release(): void; [Symbol.dispose](): void };
export type LockResult = { ok: true; lock: Lock } | { ok: false; holder: LockHolder | null };

/** A lock file being written by its creator is empty for a moment; do not call it stale. */
const FRESH_MS = 2_000;
const ATTEMPTS = 100;

function readLock(file: string): { raw: string; holder: LockHolder | null; ageMs: number } | null {
  try {
    const raw = readFileSync(file, "utf8");
    const ageMs = Date.now() - statSync(file).mtimeMs;
    const parsed = LockContent.safeParse(safeJson(raw));
    return { raw, holder: parsed.success ? parsed.data : null, ageMs };
  } catch {
    return null;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function createExclusive(file: string, content: string): boolean {
  try {
    const fd = openSync(file, "wx", 0o600);
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: someone else cleaned it up.
  }
}

/**
 * Removes a stale lock, guarded by a second O_EXCL file so that two processes that
 * both judged the lock stale cannot both delete it (one might delete the other's
 * fresh lock). The guard itself is abandoned only by a crash mid-takeover; it is
 * broken after FRESH_MS.
 */
function removeStale(file: string, staleRaw: string): void {
  const guard = `${file}.takeover`;
  if (!createExclusive(guard, String(process.pid))) {
    const age = (() => {
      try {
        return Date.now() - statSync(guard).mtimeMs;
      } catch {
        return 0;
      }
    })();
    if (age > FRESH_MS) unlinkQuietly(guard);
    return;
  }
  try {
    if (readLock(file)?.raw === staleRaw) unlinkQuietly(file);
  } finally {
    unlinkQuietly(guard);
  }
}

/** Takes the daemon lock: a file created with O_EXCL holding our pid and start time. */
export function acquireLock(file: string, pid = process.pid): LockResult {
  const content = JSON.stringify({ pid, pidStart: processStartToken(pid) });
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (createExclusive(file, content)) return { ok: true, lock: lockHandle(file, pid) };
    const current = readLock(file);
    if (current === null) continue;
    const { holder, raw, ageMs } = current;
    if (holder && isSameProcessAlive(holder.pid, holder.pidStart)) return { ok: false, holder };
    if (!holder && ageMs < FRESH_MS) return { ok: false, holder: null };
    removeStale(file, raw);
    Bun.sleepSync(5);
  }
  return { ok: false, holder: readLock(file)?.holder ?? null };
}

function lockHandle(file: string, pid: number): Lock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    // Only remove the file while it is still ours.
    if (readLock(file)?.holder?.pid === pid) unlinkQuietly(file);
  };
  return { release, [Symbol.dispose]: release };
}

export function readLockHolder(file: string): LockHolder | null {
  return readLock(file)?.holder ?? null;
}
