import { spawnDetached } from "../shared/spawn-detached.ts";
import type { Log } from "../shared/log.ts";
import { VERSION } from "../shared/version.ts";
import type { UpdateCheck } from "../protocol/control.ts";
import { identityOf, preflight, probeVersion, sameIdentity, type BinaryIdentity } from "./binary.ts";

/**
 * The daemon's eye on its own binary. When the file changes and holds another version
 * that passes its preflight, the daemon starts `<binary> daemon start`, which stops
 * this daemon (`replaced by version X`) and takes over its ports and children.
 * A file that failed once is not tried again until it changes again.
 */
export function watchOwnBinary(deps: {
  binary: string | null;
  log: Log;
  logPath: string;
  /** The flags this daemon was started with, so its successor serves the same way. */
  daemonArgs: string[];
}) {
  const { binary, log } = deps;
  let known: BinaryIdentity | null = binary ? identityOf(binary) : null;
  let rejected: BinaryIdentity | null = null;
  let checking: Promise<UpdateCheck> | null = null;

  // Detached: this process is about to be stopped by it.
  const handOver = (path: string) =>
    spawnDetached([path, "daemon", "start", "--no-qr", ...deps.daemonArgs], deps.logPath).unref();

  const check = async (): Promise<UpdateCheck> => {
    if (!binary) return { outcome: "not-installed" };
    const now = identityOf(binary);
    if (now === null || sameIdentity(now, known) || sameIdentity(now, rejected)) return { outcome: "unchanged" };
    const reject = (reason: string): UpdateCheck => {
      rejected = now;
      log.warn("new binary rejected; this daemon keeps running", { binary, reason });
      return { outcome: "rejected", reason };
    };
    // Both at once: each is a start of the new binary, and a hand-over waits for both.
    const [version, ready] = await Promise.all([probeVersion(binary), preflight(binary)]);
    if (!version.ok) return reject(version.error.message);
    if (version.data === VERSION) {
      known = now;
      return { outcome: "same-version", version: version.data };
    }
    if (!ready.ok) return reject(ready.error.message);
    log.info("new binary installed; handing over", { binary, from: VERSION, to: version.data });
    handOver(binary);
    known = now;
    return { outcome: "replacing", version: version.data };
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
