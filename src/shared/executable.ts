import { accessSync, constants, statSync } from "node:fs";

/** Whether `path` is a file this user may run. */
export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The user's own `command`: the path they configured when set (and only that one,
 * so a typo is reported rather than papered over by PATH), else the first on PATH.
 */
export function findExecutable(command: string, configured: string | undefined): { ok: true; path: string } | { ok: false; configured: boolean } {
  if (configured) return isExecutableFile(configured) ? { ok: true, path: configured } : { ok: false, configured: true };
  const found = Bun.which(command);
  return found ? { ok: true, path: found } : { ok: false, configured: false };
}
