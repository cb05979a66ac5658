import type { DaemonRow, DaemonStateStore } from "../store/daemon-state.ts";
import { isSameProcessAlive } from "../shared/process-identity.ts";

const LIVE_STATES = new Set(["starting", "running", "stopping"]);

export type Observation = { row: DaemonRow | null; alive: boolean };

/**
 * What the daemon row says, checked against the process table: a live-looking row
 * whose process is gone (or whose pid now belongs to another process) is written as
 * `crashed`, so every reader after this one sees the truth too.
 */
export function observeDaemon(store: DaemonStateStore, observer: string): Observation {
  const row = store.read();
  if (!row || row.pid === null) return { row, alive: false };
  const alive = isSameProcessAlive(row.pid, row.pidStart);
  if (alive || !LIVE_STATES.has(row.state)) return { row, alive };
  store.writeIfOwner(row.pid, {
    state: "crashed",
    stateReason: `daemon pid ${row.pid} was found dead by ${observer} while the state said ${row.state}`,
  });
  return { row: store.read(), alive: false };
}
