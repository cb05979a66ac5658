import type { Server, Socket } from "socket.io";
import type { ClientToServer, ServerToClient } from "../../protocol/events.ts";
import type { SocketAuth } from "../../protocol/handshake.ts";

/** What the handshake established about a connection, parsed once there, and its own counters. */
export type SocketData = {
  auth: SocketAuth;
  /** A local remcli process of this daemon that proved its session or machine (src/p2p/owner-check.ts). */
  owner: boolean;
  /** Its rpc-calls still waiting for an answer. */
  callsInFlight: number;
};

/** The session or machine id this connection proved it owns, or null. */
export function ownedScope(socket: IoSocket): string | null {
  const { auth, owner } = socket.data;
  if (!owner || auth.clientType === "user-scoped") return null;
  return auth.clientType === "session-scoped" ? auth.sessionId : auth.machineId;
}

/** The daemon's Socket.IO server, typed by the protocol's event table. */
export type IoServer = Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>;
export type IoSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;
