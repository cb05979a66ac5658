import type { Paths } from "../shared/paths.ts";
import { silentLog } from "../shared/log.ts";
import { readSecret } from "../shared/secret-file.ts";
import { openStore } from "../store/store.ts";
import { httpEndpoint } from "../protocol/reach.ts";

export type DaemonAddress = {
  base: string;
  secret: Uint8Array;
  controlPort: number;
  controlKey: Uint8Array;
  machineId: string | null;
};

/** Where a session finds its daemon: the state row, the shared secret and the control key. */
export function readDaemonAddress(paths: Paths): DaemonAddress | null {
  using store = openStore(paths.database, silentLog);
  const row = store.daemon.read();
  const secret = readSecret(paths.p2pSecret);
  const controlKey = readSecret(paths.controlKey);
  if (!row || row.state !== "running" || !row.p2pHost || !row.p2pPort || !row.controlPort) return null;
  if (!secret || !controlKey) return null;
  return {
    base: httpEndpoint(row.p2pHost, row.p2pPort),
    secret,
    controlPort: row.controlPort,
    controlKey,
    machineId: store.settings.get("machine_id"),
  };
}
