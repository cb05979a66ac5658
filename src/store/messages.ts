import type { Database } from "bun:sqlite";
import { z } from "zod";
import { newId } from "./ids.ts";

/** A stored message as the history route and `new-message` carry it. */
export const MessageRecord = z.object({
  id: z.string(),
  seq: z.number().int(),
  localId: z.string().nullable(),
  content: z.object({ t: z.literal("encrypted"), c: z.string() }),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type MessageRecord = z.infer<typeof MessageRecord>;

const Row = z.object({
  id: z.string(),
  seq: z.number().int(),
  local_id: z.string().nullable(),
  content: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
});

function toRecord(raw: unknown): MessageRecord {
  const row = Row.parse(raw);
  return {
    id: row.id,
    seq: row.seq,
    localId: row.local_id,
    content: { t: "encrypted", c: row.content },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type AppendResult =
  | { result: "stored"; message: MessageRecord }
  | { result: "duplicate"; message: MessageRecord }
  | { result: "unknown-session" };

const COLUMNS = "id, seq, local_id, content, created_at, updated_at";

export function messagesStore(db: Database) {
  const bumpSeq = db.query<{ seq: number }, [number, string]>(
    "UPDATE sessions SET message_seq = message_seq + 1, updated_at = ?1 WHERE id = ?2 RETURNING message_seq AS seq",
  );
  const insert = db.query(
    `INSERT INTO messages (id, session_id, seq, local_id, content, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
  );
  const byLocalId = db.query(`SELECT ${COLUMNS} FROM messages WHERE session_id = ? AND local_id = ?`);
  const latest = db.query(`SELECT ${COLUMNS} FROM messages WHERE session_id = ?1 ORDER BY seq DESC LIMIT ?2`);
  const before = db.query(
    `SELECT ${COLUMNS} FROM messages WHERE session_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3`,
  );
  const after = db.query(
    `SELECT ${COLUMNS} FROM messages WHERE session_id = ?1 AND seq > ?2 ORDER BY seq ASC LIMIT ?3`,
  );

  return {
    /**
     * Stores one message with the session's next seq. Call inside a transaction: the
     * seq bump and the insert must commit together or not at all.
     */
    append(sessionId: string, content: string, localId: string | null): AppendResult {
      if (localId !== null) {
        const existing = byLocalId.get(sessionId, localId);
        if (existing) return { result: "duplicate", message: toRecord(existing) };
      }
      const now = Date.now();
      const bumped = bumpSeq.get(now, sessionId);
      if (!bumped) return { result: "unknown-session" };
      const row = insert.get(newId(now), sessionId, bumped.seq, localId, content, now, now);
      return { result: "stored", message: toRecord(row) };
    },
    /**
     * A page of history. Without `after`: newest first (the reference's order), older
     * pages by `before`. With `after`: oldest first, so catching up pages forward.
     */
    list(sessionId: string, query: { limit: number; before?: number; after?: number }): MessageRecord[] {
      if (query.after !== undefined) return after.all(sessionId, query.after, query.limit).map(toRecord);
      if (query.before !== undefined) return before.all(sessionId, query.before, query.limit).map(toRecord);
      return latest.all(sessionId, query.limit).map(toRecord);
    },
  };
}

export type MessagesStore = ReturnType<typeof messagesStore>;
