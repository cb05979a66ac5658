import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MIGRATIONS, SCHEMA_VERSION, migrate } from "../../src/store/migrations.ts";
import { createSandbox, statusJson } from "../helpers/sandbox.ts";

describe("schema migrations", () => {
  test("a database from the previous schema is migrated by the daemon and keeps its rows", async () => {
    await using box = createSandbox();
    const file = join(box.home, "remcli.db");
    const old = new Database(file, { create: true });
    migrate(old, SCHEMA_VERSION - 1);
    old.run(
      `INSERT INTO daemon (id, state, state_reason, pid, version, updated_at)
       VALUES (1, 'stopped', 'stopped by \`remcli daemon stop\`', 4242, '0.0.9', '2026-01-01T00:00:00.000Z')`,
    );
    old.run(
      "INSERT INTO daemon_history (at, pid, version, state, reason) VALUES ('2026-01-01T00:00:00.000Z', 4242, '0.0.9', 'stopped', 'old run')",
    );
    old.run(
      "INSERT INTO children (pid, kind, started_by, started_at, ended_at, end_reason) VALUES (4343, 'session', 'daemon', '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z', 'exited')",
    );
    old.run(
      `INSERT INTO sessions (id, tag, seq, message_seq, metadata, active_at, created_at, updated_at)
       VALUES ('s-old', 'tag-old', 1, 2, 'bWV0YQ==', 0, 0, 0)`,
    );
    old.run(
      `INSERT INTO messages (id, session_id, seq, local_id, content, created_at, updated_at)
       VALUES ('m1', 's-old', 1, 'local-1', 'b25l', 1, 1), ('m2', 's-old', 2, NULL, 'dHdv', 2, 2)`,
    );
    old.close();

    expect((await box.cli(["daemon", "start", "--host", "127.0.0.1", "--no-qr"])).code).toBe(0);
    const status = statusJson(await box.cli(["daemon", "status", "--json"]));
    expect(status).toMatchObject({ state: "running", p2pHost: "127.0.0.1", p2pPort: expect.any(Number) });
    expect(box.history()[0]).toMatchObject({ reason: "old run", pid: 4242 });

    const db = new Database(file, { readonly: true });
    expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: SCHEMA_VERSION });
    expect(db.query("SELECT pid, end_reason FROM children").all()).toEqual([{ pid: 4343, end_reason: "exited" }]);
    expect(db.query("SELECT id, seq, local_id, content FROM messages ORDER BY seq").all()).toEqual([
      { id: "m1", seq: 1, local_id: "local-1", content: "b25l" },
      { id: "m2", seq: 2, local_id: null, content: "dHdv" },
    ]);
    expect(db.query("SELECT name FROM sqlite_master WHERE tbl_name = 'messages' AND type = 'index' ORDER BY name").all()).toEqual([
      { name: "messages_digest" }, // partial: only phone messages carry a digest (v4)
      { name: "messages_local_id" },
      { name: "sqlite_autoindex_messages_1" }, // UNIQUE (session_id, seq)
    ]);
    // Messages stored before v4 have no digest; the replay table starts empty.
    expect(db.query("SELECT count(*) AS n FROM messages WHERE content_digest IS NOT NULL").get()).toEqual({ n: 0 });
    expect(db.query("SELECT count(*) AS n FROM rpc_seen").get()).toEqual({ n: 0 });
    db.close();
  });

  test("every step applies on top of the one before it, from an empty database", () => {
    const db = new Database(":memory:");
    for (let version = 1; version <= MIGRATIONS.length; version++) {
      migrate(db, version);
      expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: version });
    }
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    db.close();
  });

  test("a database from a newer remcli is refused with a clear message", () => {
    const db = new Database(":memory:");
    db.run(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(/newer than this remcli understands/);
    db.close();
  });
});
