import type { SocketDeps } from "./deps.ts";
import type { IoSocket } from "./io.ts";
import { okErrorAnswer, on } from "./handle.ts";

/**
 * A session-scoped connection serves its own session's methods, a machine-scoped one its
 * machine's: one session process cannot take over another's `permission` while that one
 * reconnects. User-scoped connections may register any name, as with the reference.
 */
function outsideScope(socket: IoSocket, method: string): string | null {
  const { auth } = socket.data;
  const own = auth.clientType === "session-scoped" ? auth.sessionId : auth.clientType === "machine-scoped" ? auth.machineId : null;
  if (!own || method.startsWith(`${own}:`)) return null;
  return `A ${auth.clientType} connection registers only its own methods (${own}:…), not ${method}`;
}

/** rpc-register / rpc-unregister / rpc-call (PROTOCOL.md §4). */
export function rpcHandlers(socket: IoSocket, deps: SocketDeps): void {
  const { log, rpc } = deps;

  on(socket, log, "rpc-register", ({ method }, ack) => {
    const refused = outsideScope(socket, method) ?? rpc.register(method, socket);
    if (refused) socket.emit("rpc-error", { type: "register", error: refused });
    else socket.emit("rpc-registered", { method });
    ack?.(refused ? okErrorAnswer(refused) : { ok: true });
  }, okErrorAnswer, (error) => socket.emit("rpc-error", { type: "register", error }));

  on(socket, log, "rpc-unregister", ({ method }, ack) => {
    const refused = rpc.unregister(method, socket) ? null : `Method ${method} is not registered by this connection`;
    if (refused) socket.emit("rpc-error", { type: "unregister", error: refused });
    else socket.emit("rpc-unregistered", { method });
    ack?.(refused ? okErrorAnswer(refused) : { ok: true });
  }, okErrorAnswer, (error) => socket.emit("rpc-error", { type: "unregister", error }));

  on(socket, log, "rpc-call", async ({ method, params }, ack) => {
    const outcome = await rpc.call(method, params);
    if (!outcome.ok) log.debug("rpc call failed", { method, code: outcome.code });
    ack?.(outcome.ok ? { ok: true, result: outcome.result } : { ok: false, error: outcome.error });
  }, okErrorAnswer);

  socket.on("disconnect", () => rpc.forget(socket));
}
