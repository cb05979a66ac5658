import type { IoSocket } from "./io.ts";

/** A method the daemon serves itself (its machine RPCs), without a socket round trip. */
export type LocalHandler = (params: unknown) => Promise<unknown>;
type Owner = { kind: "socket"; socket: IoSocket } | { kind: "local"; handler: LocalHandler };

export type RpcError = "no-handler" | "handler-disconnected" | "timeout" | "handler-failed";
export type RpcOutcome = { ok: true; result: unknown } | { ok: false; error: string; code: RpcError };

export const MAX_METHODS_PER_SOCKET = 128;

/**
 * Method name → the socket (or local handler) that answers it. One registry per
 * server instance, unlike the reference's module-level map.
 */
export function createRpcRegistry({ timeoutMs }: { timeoutMs: number }) {
  const owners = new Map<string, Owner>();
  const bySocket = new Map<string, Set<string>>();
  /** In-flight calls per handler socket, failed at once when that socket goes away. */
  const pending = new Map<string, Set<(outcome: RpcOutcome) => void>>();

  const register = (method: string, socket: IoSocket): string | null => {
    const owner = owners.get(method);
    if (owner?.kind === "local") return `Method ${method} is served by the daemon itself`;
    if (owner?.kind === "socket" && owner.socket.id !== socket.id && owner.socket.connected) {
      return `Method ${method} is already registered by another connection`;
    }
    const mine = bySocket.get(socket.id) ?? new Set<string>();
    if (!mine.has(method) && mine.size >= MAX_METHODS_PER_SOCKET) {
      return `Too many methods registered on this connection (at most ${MAX_METHODS_PER_SOCKET})`;
    }
    mine.add(method);
    bySocket.set(socket.id, mine);
    owners.set(method, { kind: "socket", socket });
    return null;
  };

  const unregister = (method: string, socket: IoSocket): boolean => {
    const owner = owners.get(method);
    if (owner?.kind !== "socket" || owner.socket.id !== socket.id) return false;
    owners.delete(method);
    bySocket.get(socket.id)?.delete(method);
    return true;
  };

  const forget = (socket: IoSocket) => {
    for (const method of bySocket.get(socket.id) ?? []) {
      const owner = owners.get(method);
      if (owner?.kind === "socket" && owner.socket.id === socket.id) owners.delete(method);
    }
    bySocket.delete(socket.id);
    for (const fail of pending.get(socket.id) ?? []) {
      fail({ ok: false, code: "handler-disconnected", error: "RPC handler disconnected before answering" });
    }
    pending.delete(socket.id);
  };

  const forward = (socket: IoSocket, method: string, params: unknown) =>
    new Promise<RpcOutcome>((resolve) => {
      const calls = pending.get(socket.id) ?? new Set();
      pending.set(socket.id, calls);
      let settled = false;
      const settle = (outcome: RpcOutcome) => {
        if (settled) return;
        settled = true;
        calls.delete(settle);
        resolve(outcome);
      };
      calls.add(settle);
      socket.timeout(timeoutMs).emit("rpc-request", { method, params }, (error: Error | null, result: unknown) => {
        if (error) settle({ ok: false, code: "timeout", error: `RPC call timed out after ${timeoutMs} ms` });
        else settle({ ok: true, result });
      });
    });

  return {
    register,
    unregister,
    forget,
    serveLocally(method: string, handler: LocalHandler) {
      owners.set(method, { kind: "local", handler });
    },
    async call(method: string, params: unknown): Promise<RpcOutcome> {
      const owner = owners.get(method);
      if (!owner || (owner.kind === "socket" && !owner.socket.connected)) {
        return { ok: false, code: "no-handler", error: `No handler registered for method: ${method}` };
      }
      if (owner.kind === "socket") return forward(owner.socket, method, params);
      try {
        return { ok: true, result: await owner.handler(params) };
      } catch (error) {
        return { ok: false, code: "handler-failed", error: error instanceof Error ? error.message : String(error) };
      }
    },
    size: () => owners.size,
  };
}

export type RpcRegistry = ReturnType<typeof createRpcRegistry>;
