import type { Paths } from "../shared/paths.ts";
import { fail, ok, type Result } from "../shared/result.ts";
import { readSecret } from "../shared/secret-file.ts";
import type { DaemonRow } from "../store/daemon-state.ts";
import type { Store } from "../store/store.ts";
import { createControlClient, type ControlClient } from "./control/client.ts";
import { observeDaemon } from "./observe.ts";

export type DaemonConnection = { row: DaemonRow; control: ControlClient };

/** A signed client of the control port a daemon row names; null while it has none, or without the key. */
export function controlClientOf(paths: Paths, row: DaemonRow): ControlClient | null {
  const key = readSecret(paths.controlKey);
  return key && row.controlPort ? createControlClient({ port: row.controlPort, key }) : null;
}

/**
 * The live daemon of this home and a client of its control API, or `not_running`.
 * `observer` names the command in the state row if it finds the daemon dead.
 */
export function connectDaemon(paths: Paths, store: Store, observer: string): Result<DaemonConnection> {
  const { row, alive } = observeDaemon(store.daemon, observer);
  if (!row || !alive) return fail("not_running", "daemon is not running");
  const control = controlClientOf(paths, row);
  if (!control) return fail("not_running", "the daemon has no control port yet, or its control key is missing");
  return ok({ row, control });
}
