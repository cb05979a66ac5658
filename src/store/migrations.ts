import type { Database } from "bun:sqlite";

/**
 * Numbered schema steps; `PRAGMA user_version` records how many have run. Append only:
 * a released step is never edited, so every older database migrates the same way.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: daemon state (one row, never deleted), its history, and every child process.
  `
  CREATE TABLE daemon (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    state TEXT NOT NULL,
    state_reason TEXT NOT NULL,
    pid INTEGER,
    pid_start TEXT,
    version TEXT,
    control_port INTEGER,
    started_at TEXT,
    last_heartbeat TEXT,
    log_path TEXT,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE daemon_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    pid INTEGER,
    version TEXT,
    state TEXT NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE TABLE children (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pid INTEGER NOT NULL,
    pid_start TEXT,
    kind TEXT NOT NULL,
    session_id TEXT,
    started_by TEXT NOT NULL,
    daemon_pid INTEGER,
    directory TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    end_reason TEXT
  );
  CREATE INDEX children_open ON children (ended_at, pid);
  CREATE INDEX children_session ON children (session_id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export class SchemaTooNewError extends Error {
  override name = "SchemaTooNewError";
}

/**
 * Runs the steps after the database's version. The version is read inside an IMMEDIATE
 * transaction, so two processes opening a new database at once cannot both run step 1.
 * Returns the version the database had before.
 */
export function migrate(db: Database, target = SCHEMA_VERSION): number {
  const run = db.transaction(() => {
    const row = db.query<{ user_version: number }, []>("PRAGMA user_version").get();
    const current = row?.user_version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new SchemaTooNewError(
        `database schema ${current} is newer than this remcli understands (${SCHEMA_VERSION}); update remcli`,
      );
    }
    for (let version = current; version < target; version++) {
      const step = MIGRATIONS[version];
      if (step === undefined) break;
      db.run(step);
    }
    if (target > current) db.run(`PRAGMA user_version = ${Math.min(target, SCHEMA_VERSION)}`);
    return current;
  });
  return run.immediate();
}
