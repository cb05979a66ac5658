import type { Log } from "../shared/log.ts";
import { childrenStore } from "./children.ts";
import { userSeqCounter } from "./counters.ts";
import { dataKeysStore } from "./data-keys.ts";
import { daemonStateStore } from "./daemon-state.ts";
import { CorruptDatabaseError, openDatabase, type OnCorrupt } from "./db.ts";
import { machinesStore } from "./machines.ts";
import { messagesStore } from "./messages.ts";
import { notifyStore } from "./notify.ts";
import { rpcSeenStore } from "./rpc-seen.ts";
import { sessionsStore } from "./sessions.ts";
import { settingsStore } from "./settings.ts";

/**
 * The state database with one accessor per table group. A corrupt file is refused
 * (CorruptDatabaseError) unless the opener is the daemon, which moves it aside.
 */
export function openStore(file: string, log: Log, onCorrupt: OnCorrupt = "refuse") {
  const db = openDatabase(file, log, onCorrupt);
  // One wrapper for every transaction: building it per call showed up in profiles.
  const inTransaction = db.transaction((work: () => unknown) => work());
  let closed = false;
  return {
    db,
    daemon: daemonStateStore(db),
    children: childrenStore(db),
    settings: settingsStore(db),
    userSeq: userSeqCounter(db),
    sessions: sessionsStore(db),
    messages: messagesStore(db),
    machines: machinesStore(db),
    rpcSeen: rpcSeenStore(db),
    notify: notifyStore(db),
    dataKeys: dataKeysStore(db),
    /** Runs `work` in one IMMEDIATE transaction (nested calls become savepoints). */
    transaction<T>(work: () => T): T {
      return inTransaction.immediate(work) as T;
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
    [Symbol.dispose]() {
      this.close();
    },
  };
}

export type Store = ReturnType<typeof openStore>;

/** The store, or null while the file is corrupt (the daemon moves it aside as it starts). */
export function openStoreUnlessCorrupt(file: string, log: Log): Store | null {
  try {
    return openStore(file, log);
  } catch (error) {
    if (error instanceof CorruptDatabaseError) return null;
    throw error;
  }
}
