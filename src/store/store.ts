import type { Database } from "bun:sqlite";
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
  return withTableGroups(db, {
    db,
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
  });
}

export type Store = ReturnType<typeof openStore>;

/** The table groups, each an accessor of the store: `store.sessions`, `store.messages`… */
const TABLE_GROUPS = {
  daemon: daemonStateStore,
  children: childrenStore,
  settings: settingsStore,
  userSeq: userSeqCounter,
  sessions: sessionsStore,
  messages: messagesStore,
  machines: machinesStore,
  rpcSeen: rpcSeenStore,
  notify: notifyStore,
  dataKeys: dataKeysStore,
} satisfies Record<string, (db: Database) => unknown>;

type TableGroups = { readonly [K in keyof typeof TABLE_GROUPS]: ReturnType<(typeof TABLE_GROUPS)[K]> };

/**
 * Adds the table groups to `target` as getters, each made (its statements prepared) on
 * first use: a CLI command reading the schema an older daemon left (store/db.ts) touches
 * only the tables that schema has.
 */
function withTableGroups<T extends object>(db: Database, target: T): T & TableGroups {
  for (const [name, make] of Object.entries(TABLE_GROUPS)) {
    let group: unknown;
    Object.defineProperty(target, name, { enumerable: true, get: () => (group ??= make(db)) });
  }
  return target as T & TableGroups;
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
