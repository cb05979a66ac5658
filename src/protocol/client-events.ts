import { z } from "zod";
import { LIMITS } from "./limits.ts";

// Client → server Socket.IO payloads (PROTOCOL.md §3.2).

const Id = z.string().min(1).max(LIMITS.id);
const Blob = z.string().max(LIMITS.blobMax);
const Version = z.number().int().min(0);
const Time = z.number().finite().nonnegative();

export const MessageEvent = z.object({
  sid: Id,
  message: z.string().min(1).max(LIMITS.messageMax),
  localId: z.string().min(1).max(LIMITS.localId).nullish(),
});
export type MessageEvent = z.infer<typeof MessageEvent>;

export const UpdateMetadataEvent = z.object({ sid: Id, metadata: Blob, expectedVersion: Version });
export const UpdateStateEvent = z.object({ sid: Id, agentState: Blob.nullable(), expectedVersion: Version });

export const SessionAliveEvent = z.object({
  sid: Id,
  time: Time,
  thinking: z.boolean().optional(),
  mode: z.string().max(50).optional(),
});
export const SessionEndEvent = z.object({ sid: Id, time: Time });

export const MachineAliveEvent = z.object({ machineId: Id, time: Time });
export const MachineUpdateMetadataEvent = z.object({ machineId: Id, metadata: Blob, expectedVersion: Version });
export const MachineUpdateStateEvent = z.object({ machineId: Id, daemonState: Blob, expectedVersion: Version });

const Amount = z.number().finite().nonnegative();
export const UsageReportEvent = z.object({
  key: z.string().min(1).max(LIMITS.id),
  sessionId: Id.optional(),
  tokens: z.object({
    total: Amount,
    input: Amount,
    output: Amount,
    cache_creation: Amount,
    cache_read: Amount,
  }),
  cost: z.object({ total: Amount, input: Amount, output: Amount }),
});

export const RpcRegisterEvent = z.object({ method: z.string().min(1).max(LIMITS.method) });
export const RpcUnregisterEvent = RpcRegisterEvent;
export const RpcCallEvent = z.object({
  method: z.string().min(1).max(LIMITS.method),
  // Encrypted strings per PROTOCOL.md §4; other JSON is passed through to socket handlers.
  params: z.unknown().refine((p) => typeof p !== "string" || p.length <= LIMITS.rpcParams, "params too large"),
});

export const AccessKeyGetEvent = z.object({ sessionId: Id, machineId: Id });
