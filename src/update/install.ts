import { accessSync, constants, existsSync, linkSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fail, ok, type Result } from "../shared/result.ts";
import { identify, type Identified } from "./binary.ts";
import { durably } from "./durably.ts";
import { checkSource, stageBinary } from "./fetch-binary.ts";
import type { BuildIdentity } from "./identity.ts";
import { signatureFor, vouchedFor, type Vouchers } from "./trust.ts";

export const previousOf = (install: string) => join(dirname(install), `${basename(install)}.old`);

function writable(dir: string): Result<void> {
  try {
    accessSync(dir, constants.W_OK);
    return ok(undefined);
  } catch {
    return fail("bad_request", `cannot write to ${dir}: re-run with the rights to change it, or reinstall remcli somewhere you own`);
  }
}

/**
 * Puts the binary `--from` names at `install` atomically: its signature fetched first
 * (see trust.ts), the binary staged beside `install` and fsynced, verified by hash or
 * signature before it is ever run, then asked who it is (`daemon preflight --nonce`):
 * a remcli build that could run here and, when signed, the very build the signature
 * names. Only then is it renamed over `install`; the binary it replaces stays as
 * `<name>.old` for `--rollback`.
 */
export async function installBinary(
  install: string,
  from: string,
  vouchers: Vouchers,
  releaseKey: string | null,
): Promise<Result<BuildIdentity>> {
  const dir = dirname(install);
  const canWrite = writable(dir);
  if (!canWrite.ok) return canWrite;
  const source = checkSource(from);
  if (!source.ok) return source;
  const signature = await signatureFor(from, vouchers, releaseKey);
  if (!signature.ok) return signature;
  const staged = join(dir, `.${basename(install)}.new-${process.pid}`);
  try {
    const fetched = await stageBinary(from, staged);
    if (!fetched.ok) return fetched;
    const vouched = vouchedFor(fetched.data, vouchers, signature.data, releaseKey);
    if (!vouched.ok) return vouched;
    const identified = await runnableRemcli(staged, "the new file");
    if (!identified.ok) return identified;
    const { identity } = identified.data;
    const signed = vouched.data;
    if (signed && (signed.version !== identity.version || signed.buildId !== identity.buildId)) {
      return fail(
        "bad_request",
        `the new binary answers as version ${identity.version} build ${identity.buildId}, but its signature is for version ${signed.version} build ${signed.buildId}: refusing it`,
      );
    }
    if (existsSync(install)) {
      const previous = previousOf(install);
      rmSync(previous, { force: true });
      // A hard link keeps the running binary's inode reachable as .old, with no gap at `install`.
      linkSync(install, previous);
    }
    renameSync(staged, install);
    durably(dir, "r");
    return ok(identity);
  } finally {
    rmSync(staged, { force: true });
  }
}

/** `identify`, with the messages an installer gives: not remcli, or remcli that cannot run here. */
async function runnableRemcli(path: string, name: string): Promise<Result<Identified>> {
  const identified = await identify(path);
  if (!identified.ok) return fail(identified.error.code, identified.error.message.replace(path, name));
  const { problem } = identified.data;
  if (problem) return fail("bad_request", `${name} cannot run here: ${problem.replace(path, name)}`);
  return identified;
}

/**
 * Swaps `<name>.old` back in; the binary it replaces becomes the new `.old`. `.old` was
 * installed before, so it needs no hash or signature, only to be a remcli that runs here
 * (and, when `expected.version` is given, that version: a daemon rolling itself back).
 */
export async function rollbackBinary(install: string, expected: { version?: string } = {}): Promise<Result<BuildIdentity>> {
  const dir = dirname(install);
  const canWrite = writable(dir);
  if (!canWrite.ok) return canWrite;
  const previous = previousOf(install);
  if (!existsSync(previous)) return fail("not_found", `nothing to roll back to: ${previous} does not exist`);
  const identified = await runnableRemcli(previous, previous);
  if (!identified.ok) return identified;
  const { version } = identified.data.identity;
  if (expected.version !== undefined && version !== expected.version) {
    return fail("conflict", `${previous} is version ${version}, not version ${expected.version}`);
  }
  const current = join(dir, `.${basename(install)}.current-${process.pid}`);
  rmSync(current, { force: true });
  linkSync(install, current);
  renameSync(previous, install);
  renameSync(current, previous);
  durably(dir, "r");
  return ok(identified.data.identity);
}
