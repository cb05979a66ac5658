import type { Paths } from "../../shared/paths.ts";
import { fail, ok } from "../../shared/result.ts";
import type { Store } from "../../store/store.ts";
import type { ControlHandlers } from "./server.ts";
import type { SessionTracker } from "../../sessions/tracker.ts";
import type { Spawn } from "../../sessions/spawn-session.ts";
import type { ReachAddress } from "../../protocol/reach.ts";
import { OLDEST_SESSION_PROTOCOL, type UpdateCheck } from "../../protocol/control.ts";
import { VERSION } from "../../shared/version.ts";
import type { Rewrapped } from "../rewrap-keys.ts";
import type { Notifier } from "../../notify/notifier.ts";

export function createControlHandlers(deps: {
  store: Store;
  paths: Paths;
  tracker: SessionTracker;
  spawn: Spawn;
  requestShutdown: (reason: string) => void;
  rotateSecret: () => Rewrapped | undefined;
  /** The P2P addresses, once the P2P server runs. */
  reach: () => ReachAddress[] | null;
  checkUpdate: () => Promise<UpdateCheck>;
  notifier: Notifier;
  /** A session reported itself (and its version): the phone's view of the machine follows. */
  sessionsChanged: () => void;
  restartSession: ControlHandlers["restartSession"];
}): ControlHandlers {
  return {
    status() {
      const row = deps.store.daemon.read();
      if (!row || row.pid !== process.pid) return fail("internal", "daemon state row is not ours");
      return ok({
        state: row.state,
        pid: process.pid,
        version: row.version ?? "unknown",
        controlPort: row.controlPort ?? 0,
        startedAt: row.startedAt ?? "",
        lastHeartbeat: row.lastHeartbeat,
        logPath: deps.paths.daemonLog,
        p2pHost: row.p2pHost,
        p2pPort: row.p2pPort,
        tunnelUrl: row.tunnelUrl,
      });
    },
    stop({ replacedBy }) {
      deps.requestShutdown(
        replacedBy ? `replaced by version ${replacedBy}` : "stopped by `remcli daemon stop`",
      );
      return ok({ stopping: true as const });
    },
    reach() {
      const addresses = deps.reach();
      return addresses && addresses.length > 0 ? ok({ addresses }) : fail("unavailable", "the daemon has no P2P address yet");
    },
    rotateSecret() {
      const report = deps.rotateSecret();
      if (!report) return fail("unavailable", "the daemon's P2P server is not up yet; try again in a moment");
      return ok({ rotated: true as const, ...report });
    },
    checkUpdate: async () => ok(await deps.checkUpdate()),
    list: () => ok({ sessions: deps.tracker.list() }),
    sessionStarted({ protocol = 0, ...request }) {
      if (protocol < OLDEST_SESSION_PROTOCOL) {
        const message = `this session's remcli ${request.version ?? "(unknown version)"} is older than daemon ${VERSION} takes (session protocol ${protocol} < ${OLDEST_SESSION_PROTOCOL}); restart the session`;
        return fail("conflict", message);
      }
      deps.tracker.sessionStarted(request);
      deps.sessionsChanged();
      const olderBinary = deps.tracker.list().find((s) => s.pid === request.pid)?.olderBinary ?? false;
      return ok({ tracked: true as const, daemonVersion: VERSION, olderBinary });
    },
    sessionEnded: (request) => ok({ recorded: deps.tracker.sessionEnded(request) }),
    stopSession: ({ sessionId }) => deps.tracker.stop(sessionId),
    spawnSession: (request) => deps.spawn(request),
    restartSession: (request) => deps.restartSession(request),
    notifyEvent({ sessionId, notice }) {
      deps.notifier.sessionNotice(sessionId, notice);
      return ok({ accepted: true as const });
    },
    notifyStatus: () => ok(deps.notifier.status()),
    notifyChange: (change) => deps.notifier.change(change),
    notifyTest: async () => ok(await deps.notifier.test()),
  };
}
