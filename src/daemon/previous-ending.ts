import type { DaemonRow } from "../store/daemon-state.ts";

const LIVE_STATES = new Set(["starting", "running", "stopping"]);

export type PreviousEnding = {
  /** Why the daemon before this one counts as crashed, or null when it stopped cleanly (or there was none). */
  crash: string | null;
  /** The version it ran when it stopped to be replaced by a new binary. */
  replacedVersion: string | null;
};

/**
 * How the last daemon ended, read by the next one once it holds the lock (so the last is
 * surely gone). A row still saying it was live means that daemon died without its
 * shutdown (SIGKILL, the OOM killer, a power cut); `crashed` was written by its fatal-error
 * path or by a CLI that found it dead. A service manager's restart after a crash then
 * reads crashed → running in the history, with this reason.
 */
export function previousEnding(previous: DaemonRow | null, ownPid: number): PreviousEnding {
  if (!previous || previous.pid === ownPid) return { crash: null, replacedVersion: null };
  if (previous.state === "crashed") return { crash: previous.stateReason, replacedVersion: null };
  if (LIVE_STATES.has(previous.state)) {
    const heartbeat = previous.lastHeartbeat ? `; its last heartbeat was at ${previous.lastHeartbeat}` : "";
    const crash = `daemon pid ${previous.pid} (version ${previous.version}) ended without shutting down while ${previous.state}${heartbeat}`;
    return { crash, replacedVersion: null };
  }
  const replaced = previous.state === "stopped" && /^replaced by version /.test(previous.stateReason);
  return { crash: null, replacedVersion: replaced ? previous.version : null };
}
