import type { Database } from "bun:sqlite";
import { z } from "zod";
import type { MachineWire } from "../protocol/updates.ts";
import { timePage, type Page, type PageBounds, type TimeCursor } from "./budget.ts";
import { versionedColumn } from "./versioned-column.ts";

const Row = z.object({
  id: z.string(),
  seq: z.number().int(),
  metadata: z.string(),
  metadata_version: z.number().int(),
  daemon_state: z.string().nullable(),
  daemon_state_version: z.number().int(),
  data_encryption_key: z.string().nullable(),
  active: z.number().int(),
  active_at: z.number(),
  created_at: z.number(),
  updated_at: z.number(),
});

function toRecord(raw: unknown): MachineWire {
  const row = Row.parse(raw);
  return {
    id: row.id,
    seq: row.seq,
    metadata: row.metadata,
    metadataVersion: row.metadata_version,
    daemonState: row.daemon_state,
    daemonStateVersion: row.daemon_state_version,
    dataEncryptionKey: row.data_encryption_key,
    active: row.active === 1,
    activeAt: row.active_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const COLUMNS = `id, seq, metadata, metadata_version, daemon_state, daemon_state_version,
  data_encryption_key, active, active_at, created_at, updated_at`;

export function machinesStore(db: Database) {
  const byId = db.query(`SELECT ${COLUMNS} FROM machines WHERE id = ?`);
  const dataKey = db.query<{ key: string | null }, [string]>("SELECT data_encryption_key AS key FROM machines WHERE id = ?");
  const count = db.query<{ count: number }, []>("SELECT count(*) AS count FROM machines");
  const newest = db.query<unknown, [number, string, number]>(
    `SELECT ${COLUMNS} FROM machines WHERE (updated_at, id) < (?1, ?2) ORDER BY updated_at DESC, id DESC LIMIT ?3`,
  );
  const bytesOf = (m: MachineWire) =>
    m.id.length + m.metadata.length + (m.daemonState?.length ?? 0) + (m.dataEncryptionKey?.length ?? 0);
  const insert = db.query(
    `INSERT INTO machines (id, seq, metadata, daemon_state, data_encryption_key, active, active_at, created_at, updated_at)
     VALUES (?, 0, ?, ?, ?, 1, ?, ?, ?) RETURNING ${COLUMNS}`,
  );
  const setActive = db.query("UPDATE machines SET active = ?1, active_at = ?2 WHERE id = ?3");

  const get = (id: string): MachineWire | null => {
    const row = byId.get(id);
    return row ? toRecord(row) : null;
  };

  return {
    get,
    /** Its wrapped data key (null: the legacy variant); undefined when there is no such row. */
    dataKeyOf: (id: string): string | null | undefined => dataKey.get(id)?.key,
    count: (): number => count.get()?.count ?? 0,
    /** Most recently changed first; `after` is the cursor of the previous page. */
    list: (after: TimeCursor | null, bounds: PageBounds): Page<MachineWire> =>
      timePage(newest, after, bounds, toRecord, bytesOf),
    /** POST /v1/machines: get-or-create by id. */
    getOrCreate(input: {
      id: string;
      metadata: string;
      daemonState: string | null;
      dataEncryptionKey: string | null;
    }): { machine: MachineWire; created: boolean } {
      const existing = get(input.id);
      if (existing) return { machine: existing, created: false };
      const now = Date.now();
      const row = insert.get(input.id, input.metadata, input.daemonState, input.dataEncryptionKey, now, now, now);
      return { machine: toRecord(row), created: true };
    },
    updateMetadata: versionedColumn<string>(db, "machines", "metadata"),
    updateDaemonState: versionedColumn<string | null>(db, "machines", "daemon_state"),
    setActive: (id: string, isActive: boolean, at: number): boolean =>
      setActive.run(isActive ? 1 : 0, at, id).changes > 0,
  };
}

export type MachinesStore = ReturnType<typeof machinesStore>;
