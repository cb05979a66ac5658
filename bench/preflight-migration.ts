#!/usr/bin/env bun
/**
 * What the preflight's migration dry run costs (store/migrations.ts `migrationProblem`):
 * a database of the previous schema with --mb megabytes of messages (default 100) is
 * copied with VACUUM INTO and migrated on the copy; prints the database size and the
 * time. Run from source, so the step tried is the newest real one.
 *   bun bench/preflight-migration.ts [--mb 100]
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { migrate, migrationProblem, SCHEMA_VERSION } from "../src/store/migrations.ts";

const { values } = parseArgs({ options: { mb: { type: "string", default: "100" } } });
const dir = mkdtempSync(join(tmpdir(), "remcli-bench-preflight-"));
const file = join(dir, "remcli.db");
try {
  const db = new Database(file, { create: true });
  db.run("PRAGMA journal_mode = WAL");
  migrate(db, SCHEMA_VERSION - 1);
  db.run("INSERT INTO sessions (id, tag, seq, metadata, active_at, created_at, updated_at) VALUES ('s', 't', 1, 'm', 0, 0, 0)");
  const insert = db.query("INSERT INTO messages (id, session_id, seq, content, created_at, updated_at) VALUES (?, 's', ?, ?, 0, 0)");
  const body = "x".repeat(4096);
  const rows = Math.ceil((Number(values.mb) * 1024 * 1024) / body.length);
  db.transaction(() => {
    for (let i = 1; i <= rows; i++) insert.run(`m${i}`, i, body);
  })();
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  const size = statSync(file).size / 1024 / 1024;
  const started = performance.now();
  const problem = migrationProblem(file);
  const ms = performance.now() - started;
  console.log(`database ${size.toFixed(0)} MB (${rows} messages), schema ${SCHEMA_VERSION - 1} → ${SCHEMA_VERSION}: dry run ${ms.toFixed(0)} ms${problem ? ` FAILED: ${problem}` : ""}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
