import type { Database } from "bun:sqlite";
import { z } from "zod";
import { DaemonLifecycle } from "../protocol/control.ts";
import { isoNow } from "../shared/time.ts";

export const DaemonRow = z.object({
  state: DaemonLifecycle,
  stateReason: z.string(),
  pid: z.number().int().nullable(),
  pidStart: z.string().nullable(),
  version: z.string().nullable(),
  controlPort: z.number().int().nullable(),
  startedAt: z.string().nullable(),
  lastHeartbeat: z.string().nullable(),
  logPath: z.string().nullable(),
  p2pHost: z.string().nullable(),
  p2pPort: z.number().int().nullable(),
  tunnelUrl: z.string().nullable(),
  updatedAt: z.string(),
});
export type DaemonRow = z.infer<typeof DaemonRow>;

export const DaemonHistoryEntry = z.object({
  at: z.string(),
  pid: z.number().int().nullable(),
  version: z.string().nullable(),
  state: DaemonLifecycle,
  reason: z.string(),
});
export type DaemonHistoryEntry = z.infer<typeof DaemonHistoryEntry>;

type Patch = Partial<Omit<DaemonRow, "updatedAt">>;

const COLUMNS: Record<keyof Omit<DaemonRow, "updatedAt">, string> = {
  state: "state",
  stateReason: "state_reason",
  pid: "pid",
  pidStart: "pid_start",
  version: "version",
  controlPort: "control_port",
  startedAt: "started_at",
  lastHeartbeat: "last_heartbeat",
  logPath: "log_path",
  p2pHost: "p2p_host",
  p2pPort: "p2p_port",
  tunnelUrl: "tunnel_url",
};

const SELECT = `SELECT state, state_reason AS stateReason, pid, pid_start AS pidStart, version,
  control_port AS controlPort, started_at AS startedAt, last_heartbeat AS lastHeartbeat,
  log_path AS logPath, p2p_host AS p2pHost, p2p_port AS p2pPort, tunnel_url AS tunnelUrl, updated_at AS updatedAt FROM daemon WHERE id = 1`;

/** The one-row daemon table and its append-only history. Rows are updated, never deleted. */
export function daemonStateStore(db: Database) {
  const select = db.query(SELECT);
  const insertHistory = db.query(
    "INSERT INTO daemon_history (at, pid, version, state, reason) VALUES (?, ?, ?, ?, ?)",
  );
  const selectHistory = db.query(
    "SELECT at, pid, version, state, reason FROM daemon_history ORDER BY id DESC LIMIT ?",
  );

  const read = (): DaemonRow | null => {
    const row = select.get();
    return row ? DaemonRow.parse(row) : null;
  };

  const write = (patch: Patch): DaemonRow => {
    const fields = Object.entries(patch).filter(([, value]) => value !== undefined);
    const now = isoNow();
    db.transaction(() => {
      const exists = select.get() !== null;
      if (!exists) {
        db.query(
          "INSERT INTO daemon (id, state, state_reason, updated_at) VALUES (1, 'stopped', 'never started', ?)",
        ).run(now);
      }
      const sets = fields.map(([key]) => `${COLUMNS[key as keyof Patch]} = ?`);
      const values = fields.map(([, value]) => value as string | number | null);
      db.query(`UPDATE daemon SET ${[...sets, "updated_at = ?"].join(", ")} WHERE id = 1`).run(
        ...values,
        now,
      );
      const next = DaemonRow.parse(select.get());
      if (patch.state !== undefined || patch.stateReason !== undefined) {
        insertHistory.run(now, next.pid, next.version, next.state, next.stateReason);
      }
    })();
    return read() as DaemonRow;
  };

  /**
   * Writes `patch` only while the row still belongs to `pid`: a daemon that was replaced
   * (or a CLI cleaning up after it) must not overwrite its successor's row.
   */
  const writeIfOwner = (pid: number, patch: Patch): boolean => {
    let owned = false;
    db.transaction(() => {
      owned = read()?.pid === pid;
      if (owned) write(patch);
    })();
    return owned;
  };

  const history = (limit = 20): DaemonHistoryEntry[] =>
    selectHistory.all(limit).map((row) => DaemonHistoryEntry.parse(row));

  return { read, write, writeIfOwner, history };
}

export type DaemonStateStore = ReturnType<typeof daemonStateStore>;
