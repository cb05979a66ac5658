import { z } from "zod";

// Server → client shapes (PROTOCOL.md §3.1, §6): what a phone receives, parsed at its edge.
// Unknown fields pass through unchecked; a payload that lacks a field we rely on is dropped.

const Millis = z.number();
const Blob = z.string();

export const SessionWire = z.object({
  id: z.string(),
  seq: z.number(),
  createdAt: Millis,
  updatedAt: Millis,
  active: z.boolean(),
  activeAt: Millis,
  metadata: Blob,
  metadataVersion: z.number(),
  agentState: Blob.nullable(),
  agentStateVersion: z.number(),
  dataEncryptionKey: z.string().nullable().default(null),
});
export type SessionWire = z.infer<typeof SessionWire>;

/** A session as the REST routes return it (PROTOCOL.md §6): what the store produces. */
export const Session = SessionWire.extend({ tag: z.string(), lastMessage: z.null() });
export type Session = z.infer<typeof Session>;

export const MachineWire = z.object({
  id: z.string(),
  seq: z.number(),
  metadata: Blob,
  metadataVersion: z.number(),
  daemonState: Blob.nullable(),
  daemonStateVersion: z.number(),
  dataEncryptionKey: z.string().nullable().default(null),
  active: z.boolean(),
  activeAt: Millis,
  createdAt: Millis,
  updatedAt: Millis,
});
export type MachineWire = z.infer<typeof MachineWire>;

export const StoredMessage = z.object({
  id: z.string(),
  seq: z.number().int(),
  localId: z.string().nullish(),
  content: z.object({ t: z.literal("encrypted"), c: z.string() }),
  createdAt: Millis,
  updatedAt: Millis.optional(),
});
export type StoredMessage = z.infer<typeof StoredMessage>;

const Versioned = <T extends z.ZodType>(value: T) => z.object({ value, version: z.number() });

export const UpdateBody = z.discriminatedUnion("t", [
  z.object({ t: z.literal("new-message"), sid: z.string(), message: StoredMessage }),
  SessionWire.omit({ dataEncryptionKey: true }).extend({
    t: z.literal("new-session"),
    dataEncryptionKey: z.string().nullable().default(null),
  }),
  z.object({
    t: z.literal("update-session"),
    id: z.string(),
    metadata: Versioned(Blob).optional(),
    agentState: Versioned(Blob.nullable()).optional(),
  }),
  z.object({ t: z.literal("delete-session"), sid: z.string() }),
  MachineWire.omit({ id: true }).extend({ t: z.literal("new-machine"), machineId: z.string() }),
  z.object({
    t: z.literal("update-machine"),
    machineId: z.string(),
    metadata: Versioned(Blob).optional(),
    daemonState: Versioned(Blob.nullable()).optional(),
    active: z.boolean().optional(),
    activeAt: Millis.optional(),
  }),
]);
export type UpdateBody = z.infer<typeof UpdateBody>;

export const Update = z.object({ id: z.string(), seq: z.number(), body: UpdateBody, createdAt: Millis });
export type Update = z.infer<typeof Update>;

export const Ephemeral = z.discriminatedUnion("type", [
  z.object({ type: z.literal("activity"), id: z.string(), active: z.boolean(), activeAt: Millis, thinking: z.boolean() }),
  z.object({ type: z.literal("machine-activity"), id: z.string(), active: z.boolean(), activeAt: Millis }),
  z.object({
    type: z.literal("usage"),
    id: z.string(),
    key: z.string(),
    timestamp: Millis,
    tokens: z.object({ total: z.number(), input: z.number(), output: z.number(), cache_creation: z.number(), cache_read: z.number() }),
    cost: z.object({ total: z.number(), input: z.number(), output: z.number() }),
  }),
  z.object({ type: z.literal("machine-status"), machineId: z.string(), online: z.boolean(), timestamp: Millis }),
]);
export type Ephemeral = z.infer<typeof Ephemeral>;

