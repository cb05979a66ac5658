import type { Database } from "bun:sqlite";
import { z } from "zod";
import type { Session } from "../protocol/updates.ts";
import { takeWithinBudget, timePage, type Page, type PageBounds, type TimeCursor } from "./budget.ts";
import { newId } from "./ids.ts";
import { versionedColumn } from "./versioned-column.ts";

const Row = z.object({
  id: z.string(),
  tag: z.string(),
  seq: z.number().int(),
  created_at: z.number(),
  updated_at: z.number(),
  active: z.number().int(),
  active_at: z.number(),
  metadata: z.string(),
  metadata_version: z.number().int(),
  agent_state: z.string().nullable(),
  agent_state_version: z.number().int(),
  data_encryption_key: z.string().nullable(),
});

function toRecord(raw: unknown): Session {
  const row = Row.parse(raw);
  return {
    id: row.id,
    tag: row.tag,
    seq: row.seq,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    active: row.active === 1,
    activeAt: row.active_at,
    metadata: row.metadata,
    metadataVersion: row.metadata_version,
    agentState: row.agent_state,
    agentStateVersion: row.agent_state_version,
    dataEncryptionKey: row.data_encryption_key,
    lastMessage: null,
  };
}


const COLUMNS = `id, tag, seq, created_at, updated_at, active, active_at, metadata, metadata_version,
  agent_state, agent_state_version, data_encryption_key`;

export function sessionsStore(db: Database) {
  const byId = db.query(`SELECT ${COLUMNS} FROM sessions WHERE id = ?`);
  const dataKey = db.query<{ key: string | null }, [string]>("SELECT data_encryption_key AS key FROM sessions WHERE id = ?");
  const byTag = db.query(`SELECT ${COLUMNS} FROM sessions WHERE tag = ?`);
  const insert = db.query(
    `INSERT INTO sessions (id, tag, seq, metadata, agent_state, data_encryption_key, active, active_at, created_at, updated_at)
     VALUES (?, ?, 0, ?, ?, ?, 1, ?, ?, ?) RETURNING ${COLUMNS}`,
  );
  const newest = db.query<unknown, [number, string, number]>(
    `SELECT ${COLUMNS} FROM sessions WHERE (updated_at, id) < (?1, ?2) ORDER BY updated_at DESC, id DESC LIMIT ?3`,
  );
  const active = db.query<unknown, [number, string, number]>(
    `SELECT ${COLUMNS} FROM sessions WHERE active = 1 AND (active_at, id) < (?1, ?2)
     ORDER BY active_at DESC, id DESC LIMIT ?3`,
  );
  const page = db.query<unknown, [string, number, number]>(
    `SELECT ${COLUMNS} FROM sessions WHERE id < ?1 AND updated_at >= ?2 ORDER BY id DESC LIMIT ?3`,
  );
  const bytesOf = (s: Session) =>
    s.tag.length + s.metadata.length + (s.agentState?.length ?? 0) + (s.dataEncryptionKey?.length ?? 0);
  const remove = db.query("DELETE FROM sessions WHERE id = ?");
  const setActive = db.query("UPDATE sessions SET active = ?1, active_at = ?2 WHERE id = ?3");

  const get = (id: string): Session | null => {
    const row = byId.get(id);
    return row ? toRecord(row) : null;
  };

  return {
    get,
    /** Its wrapped data key (null: the legacy variant); undefined when there is no such row. */
    dataKeyOf: (id: string): string | null | undefined => dataKey.get(id)?.key,
    /** POST /v1/sessions: a known tag returns its session unchanged. */
    getOrCreate(input: {
      tag: string;
      metadata: string;
      agentState: string | null;
      dataEncryptionKey: string | null;
    }): { session: Session; created: boolean } {
      const existing = byTag.get(input.tag);
      if (existing) return { session: toRecord(existing), created: false };
      const now = Date.now();
      const row = insert.get(newId(now), input.tag, input.metadata, input.agentState, input.dataEncryptionKey, now, now, now);
      return { session: toRecord(row), created: true };
    },
    /** Most recently changed first; `after` is the cursor of the previous page. */
    newest: (after: TimeCursor | null, bounds: PageBounds): Page<Session> =>
      timePage(newest, after, bounds, toRecord, bytesOf),
    /** Active ones, most recently active first; `after` is the cursor of the previous page. */
    active: (after: TimeCursor | null, bounds: PageBounds): Page<Session> =>
      timePage(active, after, bounds, toRecord, bytesOf),
    /** Keyset page by id, newest first; `before` is the last id of the previous page. */
    page(input: { before: string | null; changedSince: number }, bounds: PageBounds): Page<Session> {
      // Our ids are base-36 and hex: "\uffff" sorts after every one of them.
      const before = input.before ?? "\uffff";
      return takeWithinBudget(page.iterate(before, input.changedSince, bounds.limit + 1), bounds, toRecord, bytesOf);
    },
    remove: (id: string): boolean => remove.run(id).changes > 0,
    updateMetadata: versionedColumn<string>(db, "sessions", "metadata"),
    updateAgentState: versionedColumn<string | null>(db, "sessions", "agent_state"),
    setActive: (id: string, isActive: boolean, at: number): boolean =>
      setActive.run(isActive ? 1 : 0, at, id).changes > 0,
  };
}

export type SessionsStore = ReturnType<typeof sessionsStore>;
