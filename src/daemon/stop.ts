import type { Config } from "../shared/env.ts";
import { isSameProcessAlive } from "../shared/process-identity.ts";
import type { Paths } from "../shared/paths.ts";
import { ok, type Result } from "../shared/result.ts";
import { waitFor } from "../shared/time.ts";
import type { Store } from "../store/store.ts";
import { controlClientOf } from "./connect.ts";
import { observeDaemon } from "./observe.ts";

export type StopOutcome = { how: "not-running" | "graceful" | "terminated" | "killed"; pid: number | null };

const KILL_WAIT_MS = 2_000;

function exited(pid: number, pidStart: string | null, timeoutMs: number) {
  return waitFor(() => (isSameProcessAlive(pid, pidStart) ? undefined : true), { timeoutMs });
}

/**
 * Stops the running daemon: a signed `/stop` first (SIGTERM if the control port does
 * not answer), then SIGKILL once `stopTimeoutMs` has passed. The daemon is gone when
 * this resolves, whichever way it went.
 */
export async function stopDaemon(
  config: Config,
  paths: Paths,
  store: Store,
  { replacedBy }: { replacedBy?: string } = {},
): Promise<Result<StopOutcome>> {
  const { row, alive } = observeDaemon(store.daemon, "`remcli daemon stop`");
  if (!row || row.pid === null || !alive) return ok({ how: "not-running", pid: row?.pid ?? null });
  const { pid, pidStart } = row;

  const asked = await controlClientOf(paths, row)?.call("stop", replacedBy ? { replacedBy } : {}, {
    timeoutMs: config.stopTimeoutMs,
  });
  let how: StopOutcome["how"] = "graceful";
  if (!asked?.ok) {
    how = "terminated";
    process.kill(pid, "SIGTERM");
  }
  if (await exited(pid, pidStart, config.stopTimeoutMs)) return ok({ how, pid });

  process.kill(pid, "SIGKILL");
  await exited(pid, pidStart, KILL_WAIT_MS);
  const why = replacedBy ? `replaced by version ${replacedBy}` : "stopped by `remcli daemon stop`";
  store.daemon.writeIfOwner(pid, {
    state: "stopped",
    stateReason: `${why}: killed with SIGKILL after it did not exit within ${config.stopTimeoutMs} ms`,
  });
  return ok({ how: "killed", pid });
}
