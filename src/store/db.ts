import { Database } from "bun:sqlite";
import { chmodSync, existsSync, renameSync } from "node:fs";
import type { Log } from "../shared/log.ts";
import { migrate } from "./migrations.ts";

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

function quarantine(file: string, log: Log, error: unknown): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const aside = `${file}.corrupt-${stamp}`;
  for (const suffix of DATABASE_FILES) {
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  }
  log.error("database corrupt, moved aside", { path: file, movedTo: aside, error: String(error) });
  return aside;
}

function openAndMigrate(file: string): Database {
  const db = new Database(file, { create: true, strict: true });
  try {
    configure(db);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Opens (creating if needed) the state database, migrated to the current schema.
 * A corrupt file is moved aside to `<file>.corrupt-<time>` and a fresh one is made,
 * so the daemon always starts.
 */
export function openDatabase(file: string, log: Log): Database {
  let db: Database;
  try {
    db = openAndMigrate(file);
  } catch (error) {
    if (!isCorruption(error)) throw error;
    quarantine(file, log, error);
    db = openAndMigrate(file);
  }
  restrictModes(file);
  return db;
}

/** For readers that must not create a database, e.g. `status` before the first start. */
export function databaseExists(file: string): boolean {
  return existsSync(file);
}
