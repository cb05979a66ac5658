import { constants, Database } from "bun:sqlite";
import { chmodSync, existsSync, renameSync } from "node:fs";
import type { Log } from "../shared/log.ts";
import { migrate, schemaVersion } from "./migrations.ts";

const DATABASE_FILES = ["", "-wal", "-shm"];

/** SQLite's result codes for "this file is not a healthy database". */
function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT" || code === "SQLITE_CORRUPT_VTAB";
}

function configure(db: Database): void {
  // First, so that every later statement waits for a concurrent opener instead of failing.
  db.run("PRAGMA busy_timeout = 5000");
  db.run("PRAGMA journal_mode = WAL");
  // NORMAL in WAL mode still survives a process crash (kill -9); only a power loss
  // can roll back the last transactions, which is the trade-off SQLite documents.
  db.run("PRAGMA synchronous = NORMAL");
  db.run("PRAGMA foreign_keys = ON");
}

function restrictModes(file: string): void {
  for (const suffix of DATABASE_FILES) {
    if (existsSync(file + suffix)) chmodSync(file + suffix, 0o600);
  }
}

/** A database that SQLite cannot read, found by someone who may not move it aside. */
export class CorruptDatabaseError extends Error {
  override name = "CorruptDatabaseError";
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`the state database ${path} is corrupt (${String(cause)})`);
  }
}

/** Moves every file of the database aside, each 0600 (a copy holds the same secrets). */
function quarantine(file: string, log: Log, error: unknown): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const aside = `${file}.corrupt-${stamp}`;
  const moved: string[] = [];
  for (const suffix of DATABASE_FILES) {
    if (!existsSync(file + suffix)) continue;
    renameSync(file + suffix, aside + suffix);
    chmodSync(aside + suffix, 0o600);
    moved.push(aside + suffix);
  }
  log.error("database corrupt, moved aside", { path: file, movedTo: moved.join(","), error: String(error) });
  return aside;
}

/**
 * Who opens: the daemon owns the schema and migrates it; anyone else (a CLI command)
 * reads the database at whatever schema the daemon left it, so a new binary's command
 * never migrates under an old daemon that still serves. Only a database nobody has
 * made yet (schema 0) is created by whoever comes first.
 */
export type Opener = "daemon" | "reader";

function openAndMigrate(file: string, opener: Opener): Database {
  const db = new Database(file, { create: true, strict: true });
  // Until the file proves healthy, closing it must not delete its -wal and -shm (SQLite
  // does on the last close): they hold its latest writes and go aside with it.
  db.fileControl(constants.SQLITE_FCNTL_PERSIST_WAL, 1);
  try {
    configure(db);
    if (opener === "daemon" || schemaVersion(db) === 0) migrate(db);
    db.fileControl(constants.SQLITE_FCNTL_PERSIST_WAL, 0);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * What an opener does with a corrupt file. Only the daemon, holding its lock, moves it
 * aside (`quarantine`) and logs that; anyone else is told (`refuse`), so no command moves
 * the database from under a running daemon or without a line in daemon.log.
 */
export type OnCorrupt = "quarantine" | "refuse";

/**
 * Opens (creating if needed) the state database, migrated to the current schema.
 * A corrupt file is either moved aside to `<file>.corrupt-<time>` (with its -wal and
 * -shm) and a fresh one made, so the daemon always starts, or refused with a
 * CorruptDatabaseError.
 */
export function openDatabase(file: string, log: Log, onCorrupt: OnCorrupt = "refuse", opener: Opener = "reader"): Database {
  let db: Database;
  try {
    db = openAndMigrate(file, opener);
  } catch (error) {
    if (!isCorruption(error)) throw error;
    if (onCorrupt === "refuse") throw new CorruptDatabaseError(file, error);
    quarantine(file, log, error);
    db = openAndMigrate(file, opener);
  }
  restrictModes(file);
  return db;
}

/** For readers that must not create a database, e.g. `status` before the first start. */
export function databaseExists(file: string): boolean {
  return existsSync(file);
}
