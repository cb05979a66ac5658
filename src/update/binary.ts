import { statSync } from "node:fs";
import { fail, ok, type Result } from "../shared/result.ts";

/** What tells us a file was replaced: an atomic install changes the inode, a copy the size or mtime. */
export type BinaryIdentity = { size: number; mtimeMs: number; ino: number };

export function identityOf(path: string): BinaryIdentity | null {
  try {
    const { size, mtimeMs, ino } = statSync(path);
    return { size, mtimeMs, ino };
  } catch {
    return null;
  }
}

export function sameIdentity(a: BinaryIdentity | null, b: BinaryIdentity | null): boolean {
  return a !== null && b !== null && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

const PROBE_TIMEOUT_MS = 5_000;
const VERSION_LINE = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/;

async function run(command: string[]): Promise<{ code: number | null; out: string; err: string }> {
  try {
    const child = Bun.spawn(command, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), PROBE_TIMEOUT_MS);
    const [out, err, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    clearTimeout(timer);
    return { code, out, err };
  } catch (error) {
    return { code: null, out: "", err: String(error) };
  }
}

/** `<path> --version`: a remcli binary prints its version and nothing else. */
export async function probeVersion(path: string): Promise<Result<string>> {
  const { code, out, err } = await run([path, "--version"]);
  const line = out.trim();
  if (code !== 0) return fail("spawn_failed", `${path} --version failed (exit ${code}): ${err.trim().slice(0, 300)}`);
  if (!VERSION_LINE.test(line)) return fail("bad_request", `${path} does not look like remcli: --version printed ${JSON.stringify(line.slice(0, 80))}`);
  return ok(line);
}

/**
 * `<path> daemon preflight`: the new binary loads its whole program, reads this home's
 * state and says it could run a daemon here — checked before the running daemon
 * hands over, so a binary that cannot start never costs the user their daemon.
 */
export async function preflight(path: string): Promise<Result<string>> {
  const { code, out, err } = await run([path, "daemon", "preflight"]);
  if (code !== 0) return fail("spawn_failed", `${path} daemon preflight failed (exit ${code}): ${(err || out).trim().slice(0, 300)}`);
  return ok(out.trim());
}
