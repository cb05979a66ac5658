import type { Database } from "bun:sqlite";
import { z } from "zod";
import { StartedBy } from "../protocol/control.ts";
import { isoNow } from "../shared/time.ts";

export const ChildKind = z.enum(["session", "caffeinate"]);

export const ChildRow = z.object({
  id: z.number().int(),
  pid: z.number().int(),
  pidStart: z.string().nullable(),
  kind: ChildKind,
  sessionId: z.string().nullable(),
  startedBy: StartedBy,
  daemonPid: z.number().int().nullable(),
  directory: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
});
export type ChildRow = z.infer<typeof ChildRow>;

export type NewChild = Pick<ChildRow, "pid" | "pidStart" | "kind" | "startedBy"> &
  Partial<Pick<ChildRow, "sessionId" | "daemonPid" | "directory">>;

const COLUMNS = `id, pid, pid_start AS pidStart, kind, session_id AS sessionId,
  started_by AS startedBy, daemon_pid AS daemonPid, directory, started_at AS startedAt,
  ended_at AS endedAt, end_reason AS endReason`;

/** Every process the daemon started or adopted. Rows are ended, never deleted. */
export function childrenStore(db: Database) {
  const insert = db.query(
    `INSERT INTO children (pid, pid_start, kind, session_id, started_by, daemon_pid, directory, started_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
  );
  const selectOpen = db.query(`SELECT ${COLUMNS} FROM children WHERE ended_at IS NULL ORDER BY id`);
  const selectRecent = db.query(`SELECT ${COLUMNS} FROM children ORDER BY id DESC LIMIT ?`);
  const end = db.query(
    "UPDATE children SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
  );
  const setSession = db.query("UPDATE children SET session_id = ? WHERE id = ?");
  const adopt = db.query("UPDATE children SET daemon_pid = ? WHERE id = ?");

  return {
    add(child: NewChild): ChildRow {
      return ChildRow.parse(
        insert.get(
          child.pid,
          child.pidStart,
          child.kind,
          child.sessionId ?? null,
          child.startedBy,
          child.daemonPid ?? null,
          child.directory ?? null,
          isoNow(),
        ),
      );
    },
    open(): ChildRow[] {
      return selectOpen.all().map((row) => ChildRow.parse(row));
    },
    recent(limit = 50): ChildRow[] {
      return selectRecent.all(limit).map((row) => ChildRow.parse(row));
    },
    end(id: number, reason: string): boolean {
      return end.run(isoNow(), reason, id).changes > 0;
    },
    setSession(id: number, sessionId: string): void {
      setSession.run(sessionId, id);
    },
    /** A new daemon takes over a child its predecessor started. */
    adopt(id: number, daemonPid: number): void {
      adopt.run(daemonPid, id);
    },
  };
}

export type ChildrenStore = ReturnType<typeof childrenStore>;
