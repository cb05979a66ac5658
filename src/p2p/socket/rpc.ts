import type { Socket } from "socket.io";
import { RpcCallEvent, RpcRegisterEvent, RpcUnregisterEvent } from "../../protocol/client-events.ts";
import { SocketAuth } from "../../protocol/handshake.ts";
import type { SocketDeps } from "./deps.ts";
import { okErrorAnswer, on } from "./handle.ts";

/**
 * A session-scoped connection serves its own session's methods, a machine-scoped one its
 * machine's: one session process cannot take over another's `permission` while that one
 * reconnects. User-scoped connections may register any name, as with the reference.
 */
function outsideScope(socket: Socket, method: string): string | null {
  const auth = SocketAuth.parse(socket.data.auth);
  const own = auth.clientType === "session-scoped" ? auth.sessionId : auth.clientType === "machine-scoped" ? auth.machineId : null;
  if (!own || method.startsWith(`${own}:`)) return null;
  return `A ${auth.clientType} connection registers only its own methods (${own}:…), not ${method}`;
}

/** rpc-register / rpc-unregister / rpc-call (PROTOCOL.md §4). */
export function rpcHandlers(socket: Socket, deps: SocketDeps): void {
  const { log, rpc } = deps;

  on(socket, log, "rpc-register", RpcRegisterEvent, ({ method }) => {
    const refused = outsideScope(socket, method) ?? rpc.register(method, socket);
    if (refused) socket.emit("rpc-error", { type: "register", error: refused });
    else socket.emit("rpc-registered", { method });
  }, okErrorAnswer, (error) => socket.emit("rpc-error", { type: "register", error }));

  on(socket, log, "rpc-unregister", RpcUnregisterEvent, ({ method }) => {
    if (rpc.unregister(method, socket)) socket.emit("rpc-unregistered", { method });
    else socket.emit("rpc-error", { type: "unregister", error: `Method ${method} is not registered by this connection` });
  }, okErrorAnswer, (error) => socket.emit("rpc-error", { type: "unregister", error }));

  on(socket, log, "rpc-call", RpcCallEvent, async ({ method, params }, ack) => {
    const outcome = await rpc.call(method, params);
    if (!outcome.ok) log.debug("rpc call failed", { method, code: outcome.code });
    ack?.(outcome.ok ? { ok: true, result: outcome.result } : { ok: false, error: outcome.error });
  }, okErrorAnswer);

  socket.on("disconnect", () => rpc.forget(socket));
}
