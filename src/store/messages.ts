import type { Database } from "bun:sqlite";
import type { StoredMessage } from "../protocol/updates.ts";
import { takeWithinBudget, type Page } from "./budget.ts";
import { newId } from "./ids.ts";

/** A stored message as the history route and `new-message` carry it (never an absent localId here). */
export type MessageRecord = StoredMessage & { localId: string | null; updatedAt: number };

/**
 * A row of the messages table as its schema makes it (NOT NULL columns, our own writes).
 * Typed by the query, not parsed: history pages read 150 rows and more per request, and
 * a zod parse of each was ~60-90 µs a page, most of the page's time outside SQLite.
 */
type Row = {
  id: string;
  seq: number;
  local_id: string | null;
  content: string;
  created_at: number;
  updated_at: number;
};

function toRecord(row: Row): MessageRecord {
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
  /** The same ciphertext under another localId: a replay, refused. */
  | { result: "replayed"; seq: number }
  | { result: "unknown-session" };

export type NewMessage = {
  sessionId: string;
  content: string;
  localId: string | null;
  /** Digest of the ciphertext's bytes when it must be unique in its session; null for the session's own output. */
  digest: Uint8Array | null;
};

const COLUMNS = "id, seq, local_id, content, created_at, updated_at";
/** Rows per multi-row INSERT, largest first; 1 takes the rest. */
const INSERT_CHUNKS = [64, 16, 4, 1] as const;

export function messagesStore(db: Database) {
  const currentSeq = db.query<{ seq: number }, [string]>("SELECT message_seq AS seq FROM sessions WHERE id = ?");
  const setSeq = db.query("UPDATE sessions SET message_seq = ?1, updated_at = ?2 WHERE id = ?3");
  // Several rows per INSERT: per-statement overhead was most of a message's cost in SQLite
  // (bench: ~50 → ~35 µs per 1 KB message). Fixed chunk sizes keep the statements cached.
  const insertRows = new Map(
    INSERT_CHUNKS.map((rows) => [
      rows,
      db.query(
        `INSERT INTO messages (id, session_id, seq, local_id, content, created_at, updated_at, content_digest) VALUES ${Array(rows).fill("(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
      ),
    ]),
  );
  const insertAll = (rows: Array<[string, string, number, string | null, string, number, number, Uint8Array | null]>) => {
    let at = 0;
    for (const size of INSERT_CHUNKS) {
      for (; rows.length - at >= size; at += size) insertRows.get(size)!.run(...rows.slice(at, at + size).flat());
    }
  };
  // One query per session and batch for the localIds it already holds, not one per message.
  const byLocalIds = db.query<Row, [string, string]>(
    `SELECT ${COLUMNS} FROM messages WHERE session_id = ? AND local_id IN (SELECT value FROM json_each(?))`,
  );
  const byDigest = db.query<{ seq: number }, [string, Uint8Array]>(
    "SELECT seq FROM messages WHERE session_id = ? AND content_digest = ?",
  );
  const latest = db.query<Row, [string, number]>(`SELECT ${COLUMNS} FROM messages WHERE session_id = ?1 ORDER BY seq DESC LIMIT ?2`);
  const before = db.query<Row, [string, number, number]>(
    `SELECT ${COLUMNS} FROM messages WHERE session_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3`,
  );
  const after = db.query<Row, [string, number, number]>(
    `SELECT ${COLUMNS} FROM messages WHERE session_id = ?1 AND seq > ?2 ORDER BY seq ASC LIMIT ?3`,
  );
  /** The messages these localIds already name, by `session\0localId`. */
  const storedByLocalId = (messages: NewMessage[]): Map<string, MessageRecord> => {
    const asked = new Map<string, Set<string>>();
    for (const { sessionId, localId } of messages) {
      if (localId !== null) (asked.get(sessionId) ?? asked.set(sessionId, new Set()).get(sessionId)!).add(localId);
    }
    const found = new Map<string, MessageRecord>();
    for (const [sessionId, localIds] of asked) {
      for (const row of byLocalIds.all(sessionId, JSON.stringify([...localIds]))) {
        const message = toRecord(row);
        found.set(`${sessionId}\0${message.localId}`, message);
      }
    }
    return found;
  };
  const bytesOf = (message: MessageRecord) => message.content.c.length + (message.localId?.length ?? 0);

  return {
    /**
     * Stores messages with their sessions' next seqs, in order. Call inside one
     * transaction: the inserts and the seq counters must commit together. Each session's
     * counter is read and written once per call, not once per message — at a thousand
     * messages a second those writes were most of the WAL.
     */
    appendAll(messages: NewMessage[]): AppendResult[] {
      const now = Date.now();
      const stored = storedByLocalId(messages);
      const seqs = new Map<string, number | null>();
      const inThisCall = new Map<string, MessageRecord>();
      const rows: Parameters<typeof insertAll>[0] = [];
      const results = messages.map(({ sessionId, content, localId, digest }): AppendResult => {
        const key = localId === null ? null : `${sessionId}\0${localId}`;
        if (key !== null) {
          const earlier = inThisCall.get(key) ?? stored.get(key);
          if (earlier) return { result: "duplicate", message: earlier };
        }
        const digestKey = digest === null ? null : `${sessionId}\0#${Buffer.from(digest).toString("hex")}`;
        if (digest !== null && digestKey !== null) {
          const earlier = inThisCall.get(digestKey) ?? byDigest.get(sessionId, digest);
          if (earlier) return { result: "replayed", seq: earlier.seq };
        }
        if (!seqs.has(sessionId)) seqs.set(sessionId, currentSeq.get(sessionId)?.seq ?? null);
        const last = seqs.get(sessionId);
        if (last === null || last === undefined) return { result: "unknown-session" };
        const seq = last + 1;
        seqs.set(sessionId, seq);
        const id = newId(now);
        rows.push([id, sessionId, seq, localId, content, now, now, digest]);
        const message: MessageRecord = { id, seq, localId, content: { t: "encrypted", c: content }, createdAt: now, updatedAt: now };
        if (key !== null) inThisCall.set(key, message);
        if (digestKey !== null) inThisCall.set(digestKey, message);
        return { result: "stored", message };
      });
      insertAll(rows);
      for (const [sessionId, seq] of seqs) {
        if (seq !== null) setSeq.run(seq, now, sessionId);
      }
      return results;
    },
    /**
     * A page of history, at most `limit` messages and about `budget` bytes of them (at
     * least one). Without `after`: newest first (the reference's order), older pages by
     * `before`. With `after`: oldest first, so catching up pages forward. `hasMore` says
     * whether messages follow in the page's direction.
     */
    page(
      sessionId: string,
      query: { limit: number; before?: number; after?: number },
      budget: number,
    ): Page<MessageRecord> {
      const ask = query.limit + 1;
      const rows =
        query.after !== undefined
          ? after.iterate(sessionId, query.after, ask)
          : query.before !== undefined
            ? before.iterate(sessionId, query.before, ask)
            : latest.iterate(sessionId, ask);
      return takeWithinBudget(rows, { limit: query.limit, budget }, toRecord, bytesOf);
    },
  };
}

export type MessagesStore = ReturnType<typeof messagesStore>;
