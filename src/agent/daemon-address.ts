import type { Paths } from "../shared/paths.ts";
import { readDaemonAddressFile } from "../shared/daemon-address-file.ts";
import { readSecret } from "../shared/secret-file.ts";

export type DaemonAddress = {
  base: string;
  secret: Uint8Array;
  controlPort: number;
  controlKey: Uint8Array;
  machineId: string | null;
  /** The daemon's version as its address file says. */
  version: string;
};

/**
 * Where a session finds its daemon: the address file the daemon wrote (daemon.json),
 * the shared secret and the control key, each read fresh from its file. Never the
 * daemon's database: a session must not open, migrate or move it (the daemon may run
 * a newer schema than this binary knows). Called at start and on every reconnect.
 */
export function readDaemonAddress(paths: Paths): DaemonAddress | null {
  const file = readDaemonAddressFile(paths.daemonAddress);
  const secret = readSecret(paths.p2pSecret);
  const controlKey = readSecret(paths.controlKey);
  if (!file || !secret || !controlKey) return null;
  return {
    base: `http://${file.p2pHost}:${file.p2pPort}`,
    secret,
    controlPort: file.controlPort,
    controlKey,
    machineId: file.machineId,
    version: file.version,
  };
}
