import type { Database } from "bun:sqlite";

export type VersionedWrite<T> =
  | { result: "success"; version: number; value: T }
  | { result: "version-mismatch"; version: number; value: T }
  | { result: "not-found" };

/**
 * One encrypted column of a session or machine, written with optimistic concurrency
 * (DESIGN.md): the write lands only on the version the caller read, and bumps that
 * version, the row's seq and its update time; a stale version gets the current value back.
 */
export function versionedColumn<T extends string | null>(
  db: Database,
  table: "sessions" | "machines",
  column: "metadata" | "agent_state" | "daemon_state",
) {
  type Current = { value: T; version: number };
  const write = db.query<Current, [T, number, string, number]>(
    `UPDATE ${table} SET ${column} = ?1, ${column}_version = ${column}_version + 1, seq = seq + 1, updated_at = ?2
     WHERE id = ?3 AND ${column}_version = ?4 RETURNING ${column} AS value, ${column}_version AS version`,
  );
  const read = db.query<Current, [string]>(`SELECT ${column} AS value, ${column}_version AS version FROM ${table} WHERE id = ?`);

  return (id: string, value: T, expectedVersion: number): VersionedWrite<T> => {
    const written = write.get(value, Date.now(), id, expectedVersion);
    if (written) return { result: "success", ...written };
    const current = read.get(id);
    return current ? { result: "version-mismatch", ...current } : { result: "not-found" };
  };
}
