import type { Log } from "../shared/log.ts";
import { childrenStore } from "./children.ts";
import { userSeqCounter } from "./counters.ts";
import { dataKeysStore } from "./data-keys.ts";
import { daemonStateStore } from "./daemon-state.ts";
import { CorruptDatabaseError, openDatabase, type OnCorrupt, type Opener } from "./db.ts";
import { machinesStore } from "./machines.ts";
import { messagesStore } from "./messages.ts";
import { notifyStore } from "./notify.ts";
import { rpcSeenStore } from "./rpc-seen.ts";
import { sessionsStore } from "./sessions.ts";
import { settingsStore } from "./settings.ts";

/**
 * The state database with one accessor per table group. Only the daemon migrates it
 * (`opener`), and a corrupt file is refused (CorruptDatabaseError) unless the opener is
 * the daemon, which moves it aside. Session processes never open it at all.
 */
export function openStore(file: string, log: Log, onCorrupt: OnCorrupt = "refuse", opener: Opener = "reader") {
  const db = openDatabase(file, log, onCorrupt, opener);
  // One wrapper for every transaction: building it per call showed up in profiles.
  const inTransaction = db.transaction((work: () => unknown) => work());
  let closed = false;
  // Each table group prepares its statements on first use: a CLI command reading the
  // schema an older daemon left (store/db.ts) touches only the tables that schema has.
  const daemon = lazy(() => daemonStateStore(db));
  const children = lazy(() => childrenStore(db));
  const settings = lazy(() => settingsStore(db));
  const userSeq = lazy(() => userSeqCounter(db));
  const sessions = lazy(() => sessionsStore(db));
  const messages = lazy(() => messagesStore(db));
  const machines = lazy(() => machinesStore(db));
  const rpcSeen = lazy(() => rpcSeenStore(db));
  const notify = lazy(() => notifyStore(db));
  const dataKeys = lazy(() => dataKeysStore(db));
  return {
    db,
    get daemon() {
      return daemon();
    },
    get children() {
      return children();
    },
    get settings() {
      return settings();
    },
    get userSeq() {
      return userSeq();
    },
    get sessions() {
      return sessions();
    },
    get messages() {
      return messages();
    },
    get machines() {
      return machines();
    },
    get rpcSeen() {
      return rpcSeen();
    },
    get notify() {
      return notify();
    },
    get dataKeys() {
      return dataKeys();
    },
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

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** The store, or null while the file is corrupt (the daemon moves it aside as it starts). */
export function openStoreUnlessCorrupt(file: string, log: Log): Store | null {
  try {
    return openStore(file, log);
  } catch (error) {
    if (error instanceof CorruptDatabaseError) return null;
    throw error;
  }
}
