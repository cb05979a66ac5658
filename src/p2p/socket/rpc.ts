import type { SocketDeps } from "./deps.ts";
import { okErrorAnswer, on } from "./handle.ts";
import { ownedScope, type IoSocket } from "./io.ts";

/** rpc-calls one connection may have waiting at once; a caller that never stops degrades only itself. */
export const MAX_CALLS_IN_FLIGHT = 32;

/**
 * RPC names are owned (DESIGN.md threat model): only a connection that proved it is the
 * local process of session S registers `S:*`, and of machine M `M:*`. A phone registers
 * nothing, so a stolen token cannot put itself between the phone and a session.
 */
function refusedName(socket: IoSocket, method: string): string | null {
  const { auth } = socket.data;
  if (auth.clientType === "user-scoped") return `A user-scoped connection serves no RPC methods (${method} refused)`;
  const own = ownedScope(socket);
  if (own === null) return `A ${auth.clientType} connection without the owner proof of a local remcli process serves no RPC methods`;
  if (!method.startsWith(`${own}:`)) return `A ${auth.clientType} connection registers only its own methods (${own}:…), not ${method}`;
  return null;
}

/** rpc-register / rpc-unregister / rpc-call (PROTOCOL.md §4). */
export function rpcHandlers(socket: IoSocket, deps: SocketDeps): void {
  const { log, rpc, gate } = deps;

  on(socket, log, "rpc-register", ({ method }, ack) => {
    const refused = refusedName(socket, method) ?? rpc.register(method, socket);
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

  // Cheapest checks first: the bound, then whether anyone answers, and only then the crypto.
  on(socket, log, "rpc-call", async ({ method, params }, ack) => {
    if (socket.data.callsInFlight >= MAX_CALLS_IN_FLIGHT) {
      return ack?.(okErrorAnswer(`Too many RPC calls in flight on this connection (at most ${MAX_CALLS_IN_FLIGHT})`));
    }
    if (!rpc.has(method)) return ack?.(okErrorAnswer(`No handler registered for method: ${method}`));
    const admitted = gate.admit(method, params);
    if (!admitted.ok) return ack?.(okErrorAnswer(admitted.error));
    socket.data.callsInFlight++;
    try {
      const outcome = await rpc.call(method, admitted);
      if (!outcome.ok) log.debug("rpc call failed", { method, code: outcome.code });
      ack?.(outcome.ok ? { ok: true, result: outcome.result } : { ok: false, error: outcome.error });
    } finally {
      socket.data.callsInFlight--;
    }
  }, okErrorAnswer);

  socket.on("disconnect", () => rpc.forget(socket));
}
