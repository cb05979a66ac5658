import { Database } from "bun:sqlite";
import { chmodSync, existsSync, rmSync } from "node:fs";
import { errorMessage } from "../shared/errors.ts";

// build.ts defines this only when REMCLI_TEST_EXTRA_MIGRATION is set, which only the
// upgrade tests do (a binary "B" with one step more than "A"); a release never has it.
declare const REMCLI_EMBEDDED_EXTRA_MIGRATION: string | undefined;
const TEST_EXTRA: string[] =
  typeof REMCLI_EMBEDDED_EXTRA_MIGRATION === "string" && REMCLI_EMBEDDED_EXTRA_MIGRATION !== "" ? [REMCLI_EMBEDDED_EXTRA_MIGRATION] : [];

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
  // 2: the P2P store (PROTOCOL.md): sessions, their messages, machines, the user
  // sequence counter, and where the daemon's P2P server listens.
  `
  ALTER TABLE daemon ADD COLUMN p2p_host TEXT;
  ALTER TABLE daemon ADD COLUMN p2p_port INTEGER;
  ALTER TABLE daemon ADD COLUMN tunnel_url TEXT;
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO counters (name, value) VALUES ('user_seq', 0);
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    tag TEXT NOT NULL UNIQUE,
    seq INTEGER NOT NULL,
    message_seq INTEGER NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL,
    metadata_version INTEGER NOT NULL DEFAULT 0,
    agent_state TEXT,
    agent_state_version INTEGER NOT NULL DEFAULT 0,
    data_encryption_key TEXT,
    active INTEGER NOT NULL DEFAULT 0,
    active_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_updated ON sessions (updated_at DESC, id DESC);
  CREATE INDEX sessions_active ON sessions (active, active_at DESC);
  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    local_id TEXT,
    content TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (session_id, seq)
  );
  CREATE UNIQUE INDEX messages_local_id ON messages (session_id, local_id) WHERE local_id IS NOT NULL;
  CREATE TABLE machines (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    metadata_version INTEGER NOT NULL DEFAULT 0,
    daemon_state TEXT,
    daemon_state_version INTEGER NOT NULL DEFAULT 0,
    data_encryption_key TEXT,
    active INTEGER NOT NULL DEFAULT 0,
    active_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // v3: messages without an index on their id. Nothing looks a message up by id, and
  // keeping that index cost about a tenth of the message throughput (bench/p2p.ts).
  `
  CREATE TABLE messages_v3 (
    id TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    local_id TEXT,
    content TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (session_id, seq)
  );
  INSERT INTO messages_v3 (id, session_id, seq, local_id, content, created_at, updated_at)
    SELECT id, session_id, seq, local_id, content, created_at, updated_at FROM messages ORDER BY rowid;
  DROP TABLE messages;
  ALTER TABLE messages_v3 RENAME TO messages;
  CREATE UNIQUE INDEX messages_local_id ON messages (session_id, local_id) WHERE local_id IS NOT NULL;
  `,
  // v4: a sniffed ciphertext is worth nothing twice. Every RPC's params once (a digest of
  // their bytes; rows of timestamped params expire after their age window, the rest stay
  // until their session is deleted), and a phone message's ciphertext once per session.
  // Only messages of connections that are not the session's own get a digest, so the
  // session's stream of agent output pays no index for it.
  `
  CREATE TABLE rpc_seen (
    digest BLOB PRIMARY KEY,
    scope TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    expires_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX rpc_seen_expiry ON rpc_seen (expires_at) WHERE expires_at IS NOT NULL;
  CREATE INDEX rpc_seen_scope ON rpc_seen (scope);
  ALTER TABLE messages ADD COLUMN content_digest BLOB;
  CREATE UNIQUE INDEX messages_digest ON messages (session_id, content_digest) WHERE content_digest IS NOT NULL;
  `,
  // v5: notifications. The browsers subscribed to Web Push (one row per push endpoint),
  // and per channel its settings (JSON: ntfy's URL and token, the command's argv) and
  // which events it gets; a channel without a row has the default events.
  `
  CREATE TABLE push_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_ok_at INTEGER
  );
  CREATE TABLE notify_channels (
    channel TEXT PRIMARY KEY,
    config TEXT,
    events TEXT NOT NULL
  );
  `,
  ...TEST_EXTRA,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The schema of a database file without changing it; 0 when there is none yet. */
export function schemaVersionOf(file: string): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true });
  try {
    return db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
  } finally {
    db.close();
  }
}

/** The schema `db` is at (`PRAGMA user_version`). */
export function schemaVersion(db: Database): number {
  return db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
}

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

/**
 * Runs this binary's migrations on a copy of `file` (`VACUUM INTO` a 0600 scratch file
 * beside it, deleted after), never on the file itself: what `daemon preflight` does, so
 * an update whose migration fails is refused while the old daemon keeps serving on the
 * old schema. Null when the migration would succeed or there is nothing to migrate; a
 * file that cannot be copied at all is the daemon's to deal with (it moves a corrupt one
 * aside), not a reason to refuse.
 */
export function migrationProblem(file: string): string | null {
  if (!existsSync(file)) return null;
  const scratch = `${file}.preflight-${process.pid}`;
  const cleanUp = () => {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(scratch + suffix, { force: true });
  };
  let from: number;
  try {
    const source = new Database(file, { readonly: true });
    try {
      from = schemaVersion(source);
      if (from >= SCHEMA_VERSION) return null;
      source.query("VACUUM INTO ?").run(scratch);
    } finally {
      source.close();
    }
  } catch {
    cleanUp();
    return null;
  }
  try {
    chmodSync(scratch, 0o600);
    const copy = new Database(scratch, { strict: true });
    try {
      migrate(copy);
    } finally {
      copy.close();
    }
    return null;
  } catch (error) {
    return `migrating the state database from schema ${from} to ${SCHEMA_VERSION} fails (tried on a copy; nothing changed): ${errorMessage(error)}`;
  } finally {
    cleanUp();
  }
}
