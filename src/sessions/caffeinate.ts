import type { Log } from "../shared/log.ts";
import { processStartToken } from "../shared/process-identity.ts";
import type { ChildRow } from "../store/children.ts";
import type { Store } from "../store/store.ts";

/**
 * Keeps the machine awake while at least one session runs (macOS). Only the daemon
 * starts it, as a recorded child: `-i` prevents idle sleep without blocking the
 * display's, `-w <daemon pid>` makes it exit by itself if the daemon dies, even by kill -9.
 */
export function createCaffeinate(deps: { binary: string | null; store: Store; log: Log; daemonPid: number }) {
  const { binary, store, log } = deps;
  let running: { process: ReturnType<typeof Bun.spawn>; row: ChildRow } | null = null;

  const stop = (reason: string) => {
    if (!running) return;
    const { process: child, row } = running;
    running = null;
    child.kill("SIGTERM");
    store.children.end(row.id, reason);
    log.info("caffeinate stopped", { pid: row.pid, reason });
  };

  const start = () => {
    if (!binary || running) return;
    try {
      const child = Bun.spawn([binary, "-i", "-w", String(deps.daemonPid)], { stdio: ["ignore", "ignore", "ignore"] });
      const row = store.children.add({
        pid: child.pid,
        pidStart: processStartToken(child.pid),
        kind: "caffeinate",
        startedBy: "daemon",
        daemonPid: deps.daemonPid,
      });
      running = { process: child, row };
      child.exited.then((code) => {
        if (running?.row.id !== row.id) return;
        running = null;
        store.children.end(row.id, `exited with code ${code}`);
      });
      log.info("caffeinate started", { pid: child.pid });
    } catch (error) {
      log.warn("caffeinate could not start", { binary, error: String(error) });
    }
  };

  return {
    /** Follows the number of live sessions: on with the first, off with the last. */
    update(activeSessions: number) {
      if (activeSessions > 0) start();
      else stop("no active sessions");
    },
    stop,
  };
}
