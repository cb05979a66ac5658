import { spawnDetached } from "../shared/spawn-detached.ts";
import type { Log } from "../shared/log.ts";
import { VERSION } from "../shared/version.ts";
import type { UpdateCheck } from "../protocol/control.ts";
import { identify, identityOf, sameIdentity, type BinaryIdentity } from "./binary.ts";

/**
 * The daemon's eye on its own binary. When the file changes and holds another version
 * that answers `daemon preflight --nonce` as a remcli build ready to run here (the same
 * identity check `remcli update` makes), the daemon starts `<binary> daemon start`, which stops
 * this daemon (`replaced by version X`) and takes over its ports and children.
 * A file that failed once is not tried again until it changes again.
 */
export function watchOwnBinary(deps: {
  binary: string | null;
  log: Log;
  logPath: string;
  /** The flags this daemon was started with, so its successor serves the same way. */
  daemonArgs: string[];
  /**
   * How to hand over instead of starting the successor here: a daemon under a service
   * manager exits and lets the manager start the new binary (lifecycle.ts).
   */
  handOver?: (version: string) => void;
}) {
  const { binary, log } = deps;
  let known: BinaryIdentity | null = binary ? identityOf(binary) : null;
  let rejected: BinaryIdentity | null = null;
  let checking: Promise<UpdateCheck> | null = null;

  // Detached: this process is about to be stopped by it.
  const handOver = (path: string, version: string) => {
    if (deps.handOver) return deps.handOver(version);
    spawnDetached([path, "daemon", "start", "--no-qr", ...deps.daemonArgs], deps.logPath).unref();
  };

  const check = async (): Promise<UpdateCheck> => {
    if (!binary) return { outcome: "not-installed" };
    const now = identityOf(binary);
    if (now === null || sameIdentity(now, known) || sameIdentity(now, rejected)) return { outcome: "unchanged" };
    const reject = (reason: string): UpdateCheck => {
      rejected = now;
      log.warn("new binary rejected; this daemon keeps running", { binary, reason });
      return { outcome: "rejected", reason };
    };
    // One start of the new binary answers both "is it remcli, which version" and "could it run here".
    const answer = await identify(binary);
    if (!answer.ok) return reject(answer.error.message);
    const { identity, problem } = answer.data;
    if (identity.version === VERSION) {
      known = now;
      return { outcome: "same-version", version: identity.version };
    }
    if (problem) return reject(problem);
    log.info("new binary installed; handing over", { binary, from: VERSION, to: identity.version, build: identity.buildId });
    handOver(binary, identity.version);
    known = now;
    return { outcome: "replacing", version: identity.version };
  };

  return {
    binary,
    /** One check at a time: the heartbeat and `remcli update` may ask together. */
    check(): Promise<UpdateCheck> {
      checking ??= check().finally(() => {
        checking = null;
      });
      return checking;
    },
  };
}

export type BinaryWatch = ReturnType<typeof watchOwnBinary>;
