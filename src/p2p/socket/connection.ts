import { SocketAuth } from "../../protocol/handshake.ts";
import type { SocketDeps } from "./deps.ts";
import type { IoServer } from "./io.ts";
import { describeIssue } from "./handle.ts";
import { machineHandlers } from "./machines.ts";
import { miscHandlers } from "./misc.ts";
import { rooms } from "./routing.ts";
import { rpcHandlers } from "./rpc.ts";
import { sessionHandlers } from "./sessions.ts";

/**
 * Authenticates every connection at the handshake (constant-time token check), puts
 * it in the rooms of its scope, and installs the event handlers of each area.
 */
export function attachSocketHandlers(io: IoServer, deps: SocketDeps): void {
  const { log, tokens, limits, owners } = deps;

  io.use((socket, next) => {
    const parsed = SocketAuth.safeParse(socket.handshake.auth);
    if (!parsed.success) return next(new Error(`Authentication failed: ${describeIssue(parsed.error)}`));
    if (!tokens.matches(parsed.data.token)) {
      log.warn("socket authentication failed", { address: socket.handshake.address });
      return next(new Error("Authentication failed: invalid token"));
    }
    if (io.engine.clientsCount > limits.maxConnections) {
      return next(new Error(`Too many connections (at most ${limits.maxConnections})`));
    }
    const owner = owners(parsed.data);
    if (owner === "invalid") return next(new Error("Authentication failed: invalid owner proof"));
    socket.data = { auth: parsed.data, owner: owner === "owner", callsInFlight: 0 };
    next();
  });

  io.on("connection", (socket) => {
    const { auth } = socket.data;
    if (auth.clientType === "session-scoped") socket.join(rooms.session(auth.sessionId));
    else if (auth.clientType === "machine-scoped") socket.join(rooms.machine(auth.machineId));
    else socket.join(rooms.user);
    log.debug("socket connected", { socket: socket.id, clientType: auth.clientType });

    sessionHandlers(socket, deps);
    machineHandlers(socket, deps);
    rpcHandlers(socket, deps);
    miscHandlers(socket, deps);
  });
}
