import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, linkSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fail, ok, type Result } from "../shared/result.ts";
import { probeVersion } from "./binary.ts";
import { durably } from "./durably.ts";
import { stageBinary } from "./fetch-binary.ts";

export const previousOf = (install: string) => join(dirname(install), `${basename(install)}.old`);

function writable(dir: string): Result<void> {
  try {
    accessSync(dir, constants.W_OK);
    return ok(undefined);
  } catch {
    return fail("bad_request", `cannot write to ${dir}: re-run with the rights to change it, or reinstall remcli somewhere you own`);
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of Bun.file(file).stream()) hash.update(chunk);
  return hash.digest("hex");
}

/**
 * Puts the binary `--from` names at `install` atomically: staged beside it and fsynced,
 * checked to be a remcli binary (and to match `sha256` when given), then renamed over
 * it. The binary it replaces stays as `<name>.old` for `--rollback`. Returns the new
 * version.
 */
export async function installBinary(install: string, from: string, sha256?: string): Promise<Result<string>> {
  const dir = dirname(install);
  const canWrite = writable(dir);
  if (!canWrite.ok) return canWrite;
  const staged = join(dir, `.${basename(install)}.new-${process.pid}`);
  try {
    const fetched = await stageBinary(from, staged);
    if (!fetched.ok) return fetched;
    if (sha256) {
      const actual = await sha256Of(staged);
      if (actual !== sha256.toLowerCase()) return fail("bad_request", `SHA-256 mismatch: expected ${sha256}, got ${actual}`);
    }
    const version = await probeVersion(staged);
    if (!version.ok) return fail("bad_request", `not a remcli binary: ${version.error.message.replace(staged, "the new file")}`);
    if (existsSync(install)) {
      const previous = previousOf(install);
      rmSync(previous, { force: true });
      // A hard link keeps the running binary's inode reachable as .old, with no gap at `install`.
      linkSync(install, previous);
    }
    renameSync(staged, install);
    durably(dir, "r");
    return ok(version.data);
  } finally {
    rmSync(staged, { force: true });
  }
}

/** Swaps `<name>.old` back in; the binary it replaces becomes the new `.old`. */
export async function rollbackBinary(install: string): Promise<Result<string>> {
  const dir = dirname(install);
  const canWrite = writable(dir);
  if (!canWrite.ok) return canWrite;
  const previous = previousOf(install);
  if (!existsSync(previous)) return fail("not_found", `nothing to roll back to: ${previous} does not exist`);
  const version = await probeVersion(previous);
  if (!version.ok) return fail("bad_request", `${previous} is not a working remcli binary: ${version.error.message}`);
  const current = join(dir, `.${basename(install)}.current-${process.pid}`);
  rmSync(current, { force: true });
  linkSync(install, current);
  renameSync(previous, install);
  renameSync(current, previous);
  durably(dir, "r");
  return ok(version.data);
}
