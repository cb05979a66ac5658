import type { MachineWire, Session, UpdateBody } from "../protocol/updates.ts";

/**
 * Update bodies in the field names the reference app parses (PROTOCOL.md §3.1, where
 * "the app wins" over the reference server).
 */
export const updateBodies = {
  newSession: (s: Session): UpdateBody => ({
    t: "new-session",
    id: s.id,
    seq: s.seq,
    metadata: s.metadata,
    metadataVersion: s.metadataVersion,
    agentState: s.agentState,
    agentStateVersion: s.agentStateVersion,
    dataEncryptionKey: s.dataEncryptionKey,
    active: s.active,
    activeAt: s.activeAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  }),
  updateSession: (
    id: string,
    change: { metadata?: { value: string; version: number }; agentState?: { value: string | null; version: number } },
  ): UpdateBody => ({ t: "update-session", id, ...change }),
  deleteSession: (sid: string): UpdateBody => ({ t: "delete-session", sid }),
  newMachine: (m: MachineWire): UpdateBody => ({
    t: "new-machine",
    machineId: m.id,
    seq: m.seq,
    metadata: m.metadata,
    metadataVersion: m.metadataVersion,
    daemonState: m.daemonState,
    daemonStateVersion: m.daemonStateVersion,
    dataEncryptionKey: m.dataEncryptionKey,
    active: m.active,
    activeAt: m.activeAt,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  }),
  updateMachine: (
    machineId: string,
    change: {
      metadata?: { value: string; version: number };
      daemonState?: { value: string | null; version: number };
      active?: boolean;
      activeAt?: number;
    },
  ): UpdateBody => ({ t: "update-machine", machineId, ...change }),
};
