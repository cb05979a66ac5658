import type { StartedBy, StopHow, TrackedSession } from "../protocol/control.ts";
import { sessionEnvironment, type Config } from "../shared/env.ts";
import type { Log } from "../shared/log.ts";
import type { Paths } from "../shared/paths.ts";
import { isSameProcessAlive, processStartToken } from "../shared/process-identity.ts";
import { tailLines } from "../shared/log-tail.ts";
import { selfCommand } from "../shared/own-binary.ts";
import { fail, ok, type Result } from "../shared/result.ts";
import { spawnDetached } from "../shared/spawn-detached.ts";
import { waitFor } from "../shared/time.ts";
import { VERSION } from "../shared/version.ts";
import type { ChildRow } from "../store/children.ts";
import type { Store } from "../store/store.ts";
import type { RunnableAgent } from "./agents.ts";
import { signalProcess, signalTree } from "./signal.ts";

type Pending = { resolve: (sessionId: string) => void };
/** Which agent a spawned session runs, and the session it continues, if any. */
export type SpawnHow = { agent: RunnableAgent; resumeTag?: string };

function agentArgs(how: SpawnHow): string[] {
  // `=`: a tag is the client's string; one starting with "-" must not read as a flag.
  return [`--agent=${how.agent}`, ...(how.resumeTag ? [`--resume-tag=${how.resumeTag}`] : [])];
}

/**
 * How a session's process came to be gone: `ended` by its own or the user's choice,
 * `crashed` when its agent failed or it vanished without saying so, `unknown` when we
 * cannot tell (found gone at start, or killed for never reporting).
 */
export type SessionGone = { reason: string; directory: string | null; outcome: "ended" | "crashed" | "unknown" };

/**
 * Every session process the daemon knows: the ones it spawned, the terminal ones that
 * reported themselves, and those a previous daemon left running. The children table
 * is the truth; this keeps the live handles and the spawns waiting for their webhook.
 */
export function createSessionTracker(deps: {
  config: Config;
  paths: Paths;
  store: Store;
  log: Log;
  /** Called when a session's process is gone, whatever the way. */
  onSessionGone: (sessionId: string, gone: SessionGone) => void;
  /** Called whenever the number of live sessions may have changed. */
  onActiveChange: (activeSessions: number) => void;
}) {
  const { config, paths, store, log } = deps;
  const pendingByPid = new Map<number, Pending>();
  /** Why we are ending a child ourselves, so its exit handler records that and not a bare signal. */
  const ending = new Map<number, string>();
  const sessionLog = paths.sessionsLog;
  /**
   * The version each session process said at /session-started, by child row. Kept in
   * memory, not in the children table: every session says it again to each new daemon
   * when it reconnects, and a schema step here would be one more that sessions from
   * before the address file (which read the database) cannot read.
   */
  const versions = new Map<number, string | null>();

  const openSessions = () => store.children.open().filter((child) => child.kind === "session");
  const activeCount = () => openSessions().length;

  /** Records a child's end once; tells the P2P side its session is no longer active. */
  /** `said`: the reason in the session's own words, for the notification (the row says who said it). */
  const ended = (child: ChildRow, reason: string, outcome: SessionGone["outcome"], said = reason) => {
    versions.delete(child.id);
    if (!store.children.end(child.id, reason)) return;
    log.info("session process ended", { pid: child.pid, session: child.sessionId, reason });
    if (child.sessionId) deps.onSessionGone(child.sessionId, { reason: said, directory: child.directory, outcome });
    deps.onActiveChange(activeCount());
  };

  const spawnProcess = (directory: string, how: SpawnHow) =>
    spawnDetached([...selfCommand(), "--starting-mode", "remote", "--started-by", "daemon", ...agentArgs(how)], sessionLog, {
      cwd: directory,
      env: sessionEnvironment(),
      onExit(exited, exitCode, signalCode) {
        const row = openSessions().find((c) => c.pid === exited.pid);
        if (!row) return;
        const asked = ending.get(row.id);
        const clean = exitCode === 0 && !signalCode;
        ended(row, asked ?? (signalCode ? `killed by ${signalCode}` : `exited with code ${exitCode}`), asked || clean ? "ended" : "crashed");
        ending.delete(row.id);
      },
    });

  return {

    /** At start: keep the children that still run (same pid and start time), record the rest as gone. */
    readopt(daemonPid: number): { adopted: number; gone: number } {
      let adopted = 0;
      let gone = 0;
      for (const child of store.children.open()) {
        const alive = isSameProcessAlive(child.pid, child.pidStart);
        if (child.kind === "caffeinate") {
          // Its daemon is gone; the new daemon starts its own when sessions need it.
          if (alive) signalTree(child.pid, "SIGTERM");
          store.children.end(child.id, "replaced by the next daemon's caffeinate");
          continue;
        }
        if (alive) {
          store.children.adopt(child.id, daemonPid);
          adopted++;
        } else {
          ended(child, "gone while the daemon was not running", "unknown");
          gone++;
        }
      }
      deps.onActiveChange(activeCount());
      return { adopted, gone };
    },

    /** Spawns a remote-mode session in `directory` and waits for it to report its id. */
    async spawn(directory: string, how: SpawnHow): Promise<Result<{ sessionId: string }>> {
      let child: ReturnType<typeof spawnProcess>;
      try {
        child = spawnProcess(directory, how);
      } catch (error) {
        return fail("spawn_failed", `could not start a session in ${directory}: ${String(error)}`);
      }
      const row = store.children.add({
        pid: child.pid,
        pidStart: processStartToken(child.pid),
        kind: "session",
        startedBy: "daemon",
        daemonPid: process.pid,
        directory,
      });
      deps.onActiveChange(activeCount());
      const reported = new Promise<string>((resolve) => pendingByPid.set(child.pid, { resolve }));
      const outcome = await Promise.race([
        reported.then((sessionId) => ({ kind: "reported" as const, sessionId })),
        child.exited.then((code) => ({ kind: "exited" as const, code })),
        Bun.sleep(config.spawnTimeoutMs).then(() => ({ kind: "timeout" as const })),
      ]);
      pendingByPid.delete(child.pid);
      if (outcome.kind === "reported") return ok({ sessionId: outcome.sessionId });
      if (outcome.kind === "exited") {
        const lines = tailLines(sessionLog, 5).join("\n");
        return fail("spawn_failed", `the session exited (code ${outcome.code}) before it reported:\n${lines}`);
      }
      const reason = `did not report within ${config.spawnTimeoutMs} ms; killed`;
      ending.set(row.id, reason);
      signalTree(child.pid, "SIGKILL");
      ended(row, reason, "unknown");
      return fail("timeout", `the session did not report within ${config.spawnTimeoutMs} ms and was stopped`);
    },

    /** The /session-started webhook: completes a spawn, or starts tracking a terminal session. */
    sessionStarted(input: { sessionId: string; pid: number; startedBy: StartedBy; directory?: string; version?: string }) {
      const known = openSessions().find((c) => c.pid === input.pid);
      if (known) {
        store.children.setSession(known.id, input.sessionId);
        versions.set(known.id, input.version ?? null);
      } else {
        const row = store.children.add({
          pid: input.pid,
          pidStart: processStartToken(input.pid),
          kind: "session",
          startedBy: input.startedBy,
          daemonPid: process.pid,
          sessionId: input.sessionId,
          directory: input.directory ?? null,
        });
        versions.set(row.id, input.version ?? null);
        deps.onActiveChange(activeCount());
      }
      pendingByPid.get(input.pid)?.resolve(input.sessionId);
      log.info("session started", { session: input.sessionId, pid: input.pid, startedBy: input.startedBy, version: input.version ?? "unknown" });
    },

    /**
     * The session says it is ending (terminal sessions are not our children, so no exit
     * handler would tell us). A stop we asked for keeps its own reason.
     */
    sessionEnded(input: { sessionId: string; pid: number; reason: string; crashed?: boolean }): boolean {
      const child = openSessions().find((c) => c.pid === input.pid && c.sessionId === input.sessionId);
      if (!child) return false;
      const asked = ending.get(child.id);
      ended(child, asked ?? `ended by the session: ${input.reason}`, input.crashed && !asked ? "crashed" : "ended", asked ?? input.reason);
      return true;
    },

    list(): TrackedSession[] {
      return openSessions().map((child) => ({
        ...olderOf(versions.get(child.id)),
        sessionId: child.sessionId,
        pid: child.pid,
        startedBy: child.startedBy,
        directory: child.directory,
        startedAt: child.startedAt,
        alive: isSameProcessAlive(child.pid, child.pidStart),
      }));
    },

    /**
     * SIGTERM to the session process, then SIGKILL to its whole tree after the grace period;
     * the end is recorded either way, with `why` when the caller gives one. The agent is not
     * signalled first: the session ends it itself, so its end does not read as a crash.
     */
    async stop(sessionId: string, why?: string): Promise<Result<{ how: StopHow }>> {
      const child = openSessions().find((c) => c.sessionId === sessionId);
      if (!child) return fail("not_found", `no running session ${sessionId}`);
      const gone = () => (isSameProcessAlive(child.pid, child.pidStart) ? undefined : true);
      if (gone()) {
        ended(child, "found gone when asked to stop", "crashed");
        return ok({ how: "already-gone" });
      }
      const politely = why ?? "stopped by request with SIGTERM";
      ending.set(child.id, politely);
      signalProcess(child.pid, "SIGTERM");
      if (await waitFor(gone, { timeoutMs: config.sessionStopGraceMs })) {
        ended(child, politely, "ended");
        return ok({ how: "SIGTERM" });
      }
      const forcibly = `${why ? `${why}; ` : "stopped by request: "}killed with SIGKILL after ignoring SIGTERM for ${config.sessionStopGraceMs} ms`;
      ending.set(child.id, forcibly);
      signalTree(child.pid, "SIGKILL");
      await waitFor(gone, { timeoutMs: 2_000 });
      ended(child, forcibly, "ended");
      return ok({ how: "SIGKILL" });
    },

    /** Heartbeat: children that died without us noticing (adopted ones have no exit handler). */
    prune(): void {
      for (const child of store.children.open()) {
        if (child.kind === "session" && !isSameProcessAlive(child.pid, child.pidStart)) {
          ended(child, "found dead by the heartbeat", "crashed");
        }
      }
    },
  };
}

export type SessionTracker = ReturnType<typeof createSessionTracker>;

/**
 * A session older than this daemon: it said an older version, or reported itself
 * without one (from before sessions said it). Not yet reported to this daemon (still
 * starting, or adopted and not reconnected yet): unknown, not called older.
 */
function olderOf(version: string | null | undefined): { version: string | null; olderBinary: boolean } {
  if (version === undefined) return { version: null, olderBinary: false };
  if (version === null) return { version, olderBinary: true };
  return { version, olderBinary: olderThanOurs(version) };
}

/** Versions are semver; a session's string that is not (Bun.semver.order throws) is older unless it is ours. */
function olderThanOurs(version: string): boolean {
  try {
    return Bun.semver.order(version, VERSION) < 0;
  } catch {
    return version !== VERSION;
  }
}
