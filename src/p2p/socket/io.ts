import type { Server, Socket } from "socket.io";
import type { ClientToServer, ServerToClient } from "../../protocol/events.ts";
import type { SocketAuth } from "../../protocol/handshake.ts";

/** What the handshake established about a connection, parsed once there. */
export type SocketData = { auth: SocketAuth };

/** The daemon's Socket.IO server, typed by the protocol's event table. */
export type IoServer = Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>;
export type IoSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;
