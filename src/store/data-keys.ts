import type { Database } from "bun:sqlite";
import { z } from "zod";

export const KeyScope = z.enum(["session", "machine"]);
export type KeyScope = z.infer<typeof KeyScope>;

const Row = z.object({ scope: KeyScope, id: z.string(), key: z.string().nullable() });
export type DataKeyRow = z.infer<typeof Row>;

/**
 * The wrapped data key of every session and machine, for `qr --rotate`: the daemon
 * re-wraps each for the new secret (the data keys, and so every message, stay the same).
 */
export function dataKeysStore(db: Database) {
  const all = db.query(
    `SELECT 'session' AS scope, id, data_encryption_key AS key FROM sessions
     UNION ALL SELECT 'machine' AS scope, id, data_encryption_key AS key FROM machines`,
  );
  const setSession = db.query("UPDATE sessions SET data_encryption_key = ?1 WHERE id = ?2");
  const setMachine = db.query("UPDATE machines SET data_encryption_key = ?1 WHERE id = ?2");
  return {
    all: (): DataKeyRow[] => all.all().map((row) => Row.parse(row)),
    set(scope: KeyScope, id: string, wrapped: string): void {
      (scope === "session" ? setSession : setMachine).run(wrapped, id);
    },
  };
}
