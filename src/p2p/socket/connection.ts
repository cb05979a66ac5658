import { ROTATED_KEY_MESSAGE } from "../auth.ts";
import { SocketAuth } from "../../protocol/handshake.ts";
import { createConnectionCap } from "../connection-cap.ts";
import { createRefusalSummary, type RefusalSummary } from "../refusal-summary.ts";
import type { SocketDeps } from "./deps.ts";
import type { IoServer } from "./io.ts";
import { describeIssue } from "./handle.ts";
import { machineHandlers } from "./machines.ts";
import { miscHandlers } from "./misc.ts";
import { rooms } from "./routing.ts";
import { rpcHandlers } from "./rpc.ts";
import { sessionHandlers } from "./sessions.ts";

/**
 * Authenticates every connection at the handshake (constant-time token check), holds
 * authenticated connections to the cap, puts each in the rooms of its scope, and installs
 * the event handlers of each area. Refusals are logged as a summary, not a line each.
 */
export function attachSocketHandlers(io: IoServer, deps: SocketDeps) {
  const { log, tokens, limits, owners } = deps;
  const failedAuths = createRefusalSummary(log, "socket authentication failed");
  const overCap = createRefusalSummary(log, "socket refused: too many connections");
  const connections = createConnectionCap(limits.maxConnections);

  io.use((socket, next) => {
    const refuse = (summary: RefusalSummary, message: string) => {
      summary.record(socket.handshake.address ?? "unknown");
      next(new Error(message));
    };
    const parsed = SocketAuth.safeParse(socket.handshake.auth);
    if (!parsed.success) return refuse(failedAuths, `Authentication failed: ${describeIssue(parsed.error)}`);
    if (!tokens.matches(parsed.data.token)) {
      return refuse(failedAuths, `Authentication failed: ${tokens.wasRotated(parsed.data.token) ? ROTATED_KEY_MESSAGE : "invalid token"}`);
    }
    const owner = owners(parsed.data);
    if (owner === "invalid") return refuse(failedAuths, "Authentication failed: invalid owner proof");
    if (!connections.admit(socket.conn)) return refuse(overCap, `Too many connections (at most ${limits.maxConnections})`);
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

  return {
    /** Writes the refusals counted but not logged yet. */
    flush() {
      failedAuths.flush();
      overCap.flush();
    },
  };
}
