import type { Socket } from "socket.io-client";
import { z } from "zod";
import {
  AccessKeyGetEvent,
  MachineAliveEvent,
  MachineUpdateMetadataEvent,
  MachineUpdateStateEvent,
  MessageEvent,
  RpcCallEvent,
  RpcRegisterEvent,
  RpcUnregisterEvent,
  SessionAliveEvent,
  SessionEndEvent,
  UpdateMetadataEvent,
  UpdateStateEvent,
  UsageReportEvent,
} from "./client-events.ts";
import { LIMITS } from "./limits.ts";
import { Ephemeral, Update } from "./updates.ts";

// Every Socket.IO event of /v1/updates (PROTOCOL.md §3), both ways, as one table: the
// event's name, the schema of its payload and the schema of its ack (null: no ack, the
// answer is an event or nothing). The server parses what it receives with these, the
// clients type what they send with them, and the TypeScript event maps that socket.io's
// `Server<…>` and `Socket<…>` take are derived from them, so a name or shape cannot
// drift between the daemon, a session process and the phone app.

type EventSpec = {
  payload: z.ZodType | null;
  ack: z.ZodType | null;
  /** The reference's clients send this without an ack; ours may too (remcli answers one when given). */
  ackOptional?: true;
};

/** `{ ok: true }` or `{ ok: false, error }`: presence and usage events, when given an ack. */
export const OkAck = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type OkAck = z.infer<typeof OkAck>;

/** The answer of an optimistic-concurrency write: on a mismatch, the current value and version. */
function versionedAck<F extends string, V extends z.ZodType>(field: F, value: V) {
  return z.union([
    z.object({ result: z.enum(["success", "version-mismatch"]), version: z.number().int() }).extend({ [field]: value } as Record<F, V>),
    z.object({ result: z.literal("error"), message: z.string() }),
  ]);
}
export const MetadataAck = versionedAck("metadata", z.string());
export const AgentStateAck = versionedAck("agentState", z.string().nullable());
export const DaemonStateAck = versionedAck("daemonState", z.string().nullable());

/** The `message` ack (remcli extension of PROTOCOL.md §3.2): after the commit, or why not. */
export const MessageAck = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), id: z.string(), seq: z.number().int(), localId: z.string().nullish() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type MessageAck = z.infer<typeof MessageAck>;

/** The `rpc-call` ack (PROTOCOL.md §4): `result` is the handler's encrypted string. */
export const RpcCallAck = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type RpcCallAck = z.infer<typeof RpcCallAck>;

export const AccessKeyAck = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), accessKey: z.string().nullable() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

/** Client → server (PROTOCOL.md §3.2). */
export const clientEvents = {
  ping: { payload: null, ack: z.object({}) },
  message: { payload: MessageEvent, ack: MessageAck },
  "update-metadata": { payload: UpdateMetadataEvent, ack: MetadataAck },
  "update-state": { payload: UpdateStateEvent, ack: AgentStateAck },
  "session-alive": { ackOptional: true, payload: SessionAliveEvent, ack: OkAck },
  "session-end": { ackOptional: true, payload: SessionEndEvent, ack: OkAck },
  "machine-alive": { ackOptional: true, payload: MachineAliveEvent, ack: OkAck },
  "machine-update-metadata": { payload: MachineUpdateMetadataEvent, ack: MetadataAck },
  "machine-update-state": { payload: MachineUpdateStateEvent, ack: DaemonStateAck },
  "usage-report": { ackOptional: true, payload: UsageReportEvent, ack: OkAck },
  // Answered by rpc-registered / rpc-error events; (remcli extension) also by an ack when given.
  "rpc-register": { ackOptional: true, payload: RpcRegisterEvent, ack: OkAck },
  "rpc-unregister": { ackOptional: true, payload: RpcUnregisterEvent, ack: OkAck },
  "rpc-call": { payload: RpcCallEvent, ack: RpcCallAck },
  "access-key-get": { payload: AccessKeyGetEvent, ack: AccessKeyAck },
} as const satisfies Record<string, EventSpec>;

const Method = z.object({ method: z.string().min(1).max(LIMITS.method) });

/** What the daemon forwards to the socket that registered `method`; its ack is the handler's answer. */
export const RpcRequest = z.object({ method: z.string().max(LIMITS.method), params: z.unknown() });
export type RpcRequest = z.infer<typeof RpcRequest>;

export const RpcErrorEvent = z.object({ type: z.enum(["register", "unregister"]), error: z.string() });
export type RpcErrorEvent = z.infer<typeof RpcErrorEvent>;

/** Server → client (PROTOCOL.md §3.1, §4). */
export const serverEvents = {
  update: { payload: Update, ack: null },
  ephemeral: { payload: Ephemeral, ack: null },
  "rpc-request": { payload: RpcRequest, ack: z.unknown() },
  "rpc-registered": { payload: Method, ack: null },
  "rpc-unregistered": { payload: Method, ack: null },
  "rpc-error": { payload: RpcErrorEvent, ack: null },
} as const satisfies Record<string, EventSpec>;

type ClientEvents = typeof clientEvents;
type ServerEvents = typeof serverEvents;
export type ClientEventName = keyof ClientEvents;
export type ServerEventName = keyof ServerEvents;

/** What the sender of event E passes (before the receiver's parse, so defaults may be left out). */
export type PayloadOf<E extends EventSpec> = E["payload"] extends z.ZodType ? z.input<E["payload"]> : never;
/** What the receiver of event E answers. */
export type AckOf<E extends EventSpec> = E["ack"] extends z.ZodType ? z.output<E["ack"]> : never;

/**
 * socket.io's listener signature for one table entry. Where the ack is optional it is a
 * trailing optional parameter (socket.io then cannot type an `emitWithAck`, which nobody uses there).
 */
type Listener<E extends EventSpec> = E["payload"] extends z.ZodType
  ? E["ack"] extends z.ZodType
    ? E["ackOptional"] extends true
      ? (payload: PayloadOf<E>, ack?: (answer: AckOf<E>) => void) => void
      : (payload: PayloadOf<E>, ack: (answer: AckOf<E>) => void) => void
    : (payload: PayloadOf<E>) => void
  : E["ack"] extends z.ZodType
    ? (ack: (answer: AckOf<E>) => void) => void
    : () => void;

type EventMap<T extends Record<string, EventSpec>> = { [K in keyof T]: Listener<T[K]> };

/** socket.io's `ListenEvents` of the server, `EmitEvents` of every client. */
export type ClientToServer = EventMap<ClientEvents>;
/** socket.io's `EmitEvents` of the server, `ListenEvents` of every client. */
export type ServerToClient = EventMap<ServerEvents>;

export type ClientPayload<K extends ClientEventName> = PayloadOf<ClientEvents[K]>;
export type ClientAck<K extends ClientEventName> = AckOf<ClientEvents[K]>;
export type ServerPayload<K extends ServerEventName> = PayloadOf<ServerEvents[K]>;

/** A client's socket (a session process, the phone app), typed by the same table. */
export type ClientSocket = Socket<ServerToClient, ClientToServer>;
