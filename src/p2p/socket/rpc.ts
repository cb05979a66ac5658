import type { Socket } from "socket.io";
import { RpcCallEvent, RpcRegisterEvent, RpcUnregisterEvent } from "../../protocol/client-events.ts";
import type { SocketDeps } from "./deps.ts";
import { okErrorAnswer, on } from "./handle.ts";

/** rpc-register / rpc-unregister / rpc-call (PROTOCOL.md §4). */
export function rpcHandlers(socket: Socket, deps: SocketDeps): void {
  const { log, rpc } = deps;

  on(socket, log, "rpc-register", RpcRegisterEvent, ({ method }) => {
    const refused = rpc.register(method, socket);
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
