import { basename } from "node:path";
import { errorMessage } from "../shared/errors.ts";
import { silentLog, type Log } from "../shared/log.ts";
import { processStartToken } from "../shared/process-identity.ts";
import { VERSION } from "../shared/version.ts";
import type { DaemonHistoryEntry, DaemonRow } from "../store/daemon-state.ts";
import { openStore } from "../store/store.ts";
import type { ServiceManagerName } from "../service/spec.ts";
import { previousOf, rollbackBinary } from "../update/install.ts";

/** How the history says a version was rolled back (the CLI's `remcli update` reads it). */
const ROLLED_BACK = "; rolled back to version ";

/**
 * The version this daemon's start replaced by a hand-over to it: the row, read before any
 * of ours is written, says the daemon before stopped as "replaced by version <ours>".
 * Null when it says anything else — among them our own rollback line, so a version we
 * rolled back to that cannot open the database either is not rolled "back" again.
 */
function handedOverFrom(row: DaemonRow | null): string | null {
  if (!row || row.state !== "stopped" || row.version === VERSION) return null;
  const prefix = `replaced by version ${VERSION}`;
  return row.stateReason === prefix || row.stateReason.startsWith(`${prefix}:`) ? row.version : null;
}

/**
 * A daemon under a service manager that cannot open the state database (its migrations
 * failed and rolled back, leaving the old schema) right after a hand-over to it: the
 * manager would restart it, and it would fail again, until the manager gives up and
 * nobody serves. Outside a service `remcli daemon start` starts the old version again
 * (launch.ts); here the manager only ever starts the installed path, so the old binary
 * (`remcli.old`, when it is that version ready to run) is put back there and we exit
 * with HANDED_OVER: the manager starts it. The new binary becomes `remcli.old`, so the
 * old daemon's watcher, which looks at its own path, does not take it up again.
 * Says what it did, or null when it did nothing (today's exit stands).
 */
export async function rollBackUnopenedStore(deps: {
  database: string;
  install: string | null;
  supervisor: ServiceManagerName;
  error: unknown;
  log: Log;
}): Promise<string | null> {
  const { install, log } = deps;
  if (!install) return null;
  let previous: string | null;
  try {
    // As a reader: it never migrates, so it reads the schema the old daemon left.
    using store = openStore(deps.database, silentLog);
    previous = handedOverFrom(store.daemon.read());
  } catch {
    return null;
  }
  if (!previous) return null;
  const rolledBack = await rollbackBinary(install, { version: previous });
  if (!rolledBack.ok) {
    log.error("could not roll back to the previous version", { version: previous, reason: rolledBack.error.message });
    return null;
  }
  const line =
    `version ${VERSION} could not open the database (${errorMessage(deps.error)})${ROLLED_BACK}${previous} ` +
    `from ${basename(previousOf(install))}; ${deps.supervisor} starts it`;
  log.error(line);
  try {
    // The row keeps its ports, so the old version serves where the phone expects it.
    using store = openStore(deps.database, silentLog);
    store.daemon.write({ state: "stopped", stateReason: line, pid: process.pid, pidStart: processStartToken(process.pid), version: VERSION });
  } catch (error) {
    log.warn("could not record the rollback in the daemon history", { error: errorMessage(error) });
  }
  return line;
}

/** Whether the history says `version` was rolled back by the above at or after `since` (an ISO time). */
export function wasRolledBack(history: DaemonHistoryEntry[], version: string, since: string): boolean {
  return history.some((entry) => entry.at >= since && entry.version === version && entry.state === "stopped" && entry.reason.includes(ROLLED_BACK));
}
