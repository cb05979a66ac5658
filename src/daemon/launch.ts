import type { Config } from "../shared/env.ts";
import type { Paths } from "../shared/paths.ts";
import { fail, ok, type Result } from "../shared/result.ts";
import { spawnDetached } from "../shared/spawn-detached.ts";
import { sleep } from "../shared/time.ts";
import { VERSION } from "../shared/version.ts";
import type { DaemonRow } from "../store/daemon-state.ts";
import { silentLog } from "../shared/log.ts";
import { openStoreUnlessCorrupt, type Store } from "../store/store.ts";
import { controlClientOf } from "./connect.ts";
import { EXIT_LOCK_HELD } from "./lifecycle.ts";
import { tailLines } from "../shared/log-tail.ts";
import { observeDaemon } from "./observe.ts";
import { selfCommand } from "../shared/own-binary.ts";
import { stopDaemon } from "./stop.ts";
import { identify } from "../update/binary.ts";

export type LaunchOutcome = {
  how: "started" | "already-running" | "replaced";
  replacedVersion?: string;
  daemon: DaemonRow;
};

const POLL_MS = 20;

/** Asks a live daemon its version; null when it does not answer as our daemon. */
async function runningVersion(paths: Paths, row: DaemonRow): Promise<string | null> {
  const status = await controlClientOf(paths, row)?.call("status", {});
  return status?.ok ? status.data.version : null;
}

function spawnDaemon(paths: Paths, args: string[]) {
  const child = spawnDetached([...selfCommand(), "daemon", "start-sync", ...args], paths.daemonLog);
  child.unref();
  return child;
}

function failedToStart(paths: Paths, code: "spawn_failed" | "timeout", why: string): Result<never> {
  const lines = tailLines(paths.daemonLog, 15).join("\n");
  return fail(code, `${why}\n--- last lines of ${paths.daemonLog} ---\n${lines}`);
}

/**
 * `remcli daemon start`: ensures exactly one daemon of this version runs. Any number
 * of these may race; the lock lets one daemon win and every caller waits for it.
 * `store` is null when the database is corrupt: the daemon started here moves it aside
 * (and logs it), and the state is read once it has.
 */
export async function launchDaemon(
  config: Config,
  paths: Paths,
  store: Store | null,
  {
    daemonArgs = [],
    predecessor = null,
  }: {
    daemonArgs?: string[];
    /** The binary of the version this start may replace (`remcli.old`): started again if ours cannot start. */
    predecessor?: string | null;
  } = {},
): Promise<Result<LaunchOutcome>> {
  let replacedVersion: string | undefined;
  const current = store ? observeDaemon(store.daemon, "`remcli daemon start`") : null;
  if (store && current?.alive && current.row) {
    const version = await runningVersion(paths, current.row);
    if (version === VERSION) return ok({ how: "already-running", daemon: current.row });
    if (version !== null) {
      const stopped = await stopDaemon(config, paths, store, { replacedBy: VERSION });
      if (!stopped.ok) return stopped;
      replacedVersion = version;
    }
    // A daemon that is alive but not answering is still starting: wait for it below.
  }

  const child = spawnDaemon(paths, replacedVersion ? ["--replacing", replacedVersion, ...daemonArgs] : daemonArgs);
  const deadline = Date.now() + config.startTimeoutMs;
  // With a corrupt database, the state is read once our daemon has moved it aside.
  let reopened: Store | null = null;
  try {
    while (Date.now() < deadline) {
      const reader = store ?? (reopened ??= openStoreUnlessCorrupt(paths.database, silentLog));
      const seen = reader ? observeDaemon(reader.daemon, "`remcli daemon start`") : { row: null, alive: false };
      if (seen.alive && seen.row?.state === "running") {
        const how = replacedVersion ? "replaced" : seen.row.pid === child.pid ? "started" : "already-running";
        return ok({ how, replacedVersion, daemon: seen.row });
      }
      // Our child lost the lock race: the winner is someone else's child; keep waiting for it.
      const exit = child.exitCode ?? child.signalCode;
      if (exit !== null && exit !== EXIT_LOCK_HELD && !seen.alive) {
        const why = `the daemon exited (${exit}) before it was ready`;
        if (!replacedVersion) return failedToStart(paths, "spawn_failed", why);
        return failedToStart(paths, "spawn_failed", `${why}; ${await restorePredecessor(config, paths, replacedVersion, predecessor, daemonArgs)}`);
      }
      await sleep(POLL_MS);
    }
  } finally {
    reopened?.close();
  }
  // Not ready in time: do not leave a half-started daemon of ours behind.
  if (child.exitCode === null) child.kill("SIGKILL");
  return failedToStart(paths, "timeout", `the daemon was not ready within ${config.startTimeoutMs} ms`);
}

/**
 * Our daemon could not start after we stopped version `version` (its migration failed,
 * say, and left the old schema): that version is started again from `predecessor`, if
 * that file is it, so an update that fails leaves the old daemon serving. Says what happened.
 */
async function restorePredecessor(config: Config, paths: Paths, version: string, predecessor: string | null, daemonArgs: string[]): Promise<string> {
  const manual = `start version ${version} again with \`remcli update --rollback\` or reinstall it`;
  if (!predecessor) return `no copy of version ${version} to go back to: ${manual}`;
  const identified = await identify(predecessor);
  if (!identified.ok || identified.data.identity.version !== version || identified.data.problem) {
    return `${predecessor} is not version ${version} ready to run: ${manual}`;
  }
  spawnDetached([predecessor, "daemon", "start-sync", ...daemonArgs], paths.daemonLog).unref();
  const deadline = Date.now() + config.startTimeoutMs;
  while (Date.now() < deadline) {
    using reader = openStoreUnlessCorrupt(paths.database, silentLog);
    const seen = reader ? observeDaemon(reader.daemon, "`remcli daemon start`") : null;
    if (seen?.alive && seen.row?.state === "running" && seen.row.version === version) {
      return `version ${version} serves again (pid ${seen.row.pid}, from ${predecessor})`;
    }
    await sleep(POLL_MS * 5);
  }
  return `version ${version} did not come back within ${config.startTimeoutMs} ms: ${manual}`;
}
