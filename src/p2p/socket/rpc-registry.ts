import type { Cipher } from "../../crypto/session-cipher.ts";
import type { IoSocket } from "./io.ts";

/** A method the daemon serves itself (its machine RPCs): decrypted params in, plain answer out. */
export type LocalHandler = (params: unknown) => Promise<unknown>;
type Owner = { kind: "socket"; socket: IoSocket } | { kind: "local"; handler: LocalHandler };

export type RpcError = "no-handler" | "handler-disconnected" | "timeout" | "handler-failed" | "busy";
export type RpcOutcome = { ok: true; result: unknown } | { ok: false; error: string; code: RpcError };
/** A call the gate let through: the ciphertext for a socket handler, the plaintext for a local one. */
export type AdmittedCall = { params: string; plain: unknown; cipher: Cipher };

export const MAX_METHODS_PER_SOCKET = 128;
/** Calls waiting on one handler socket; a handler that never answers must not pile them up. */
export const MAX_PENDING_PER_HANDLER = 256;

/**
 * Method name → the socket (or local handler) that answers it. One registry per
 * server instance, unlike the reference's module-level map. Who may register a name is
 * decided before (src/p2p/socket/rpc.ts): only a proven owner of its scope, so a newer
 * registration of a name replaces the older one (the same process, reconnected).
 */
export function createRpcRegistry({ timeoutMs }: { timeoutMs: number }) {
  const owners = new Map<string, Owner>();
  const bySocket = new Map<string, Set<string>>();
  /** In-flight calls per handler socket, failed at once when that socket goes away. */
  const pending = new Map<string, Set<(outcome: RpcOutcome) => void>>();

  const lookup = (method: string): Owner | undefined => {
    const owner = owners.get(method);
    return owner?.kind === "socket" && !owner.socket.connected ? undefined : owner;
  };

  const register = (method: string, socket: IoSocket): string | null => {
    const owner = owners.get(method);
    if (owner?.kind === "local") return `Method ${method} is served by the daemon itself`;
    const mine = bySocket.get(socket.id) ?? new Set<string>();
    if (!mine.has(method) && mine.size >= MAX_METHODS_PER_SOCKET) {
      return `Too many methods registered on this connection (at most ${MAX_METHODS_PER_SOCKET})`;
    }
    if (owner?.kind === "socket" && owner.socket.id !== socket.id) bySocket.get(owner.socket.id)?.delete(method);
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

  const forward = (socket: IoSocket, method: string, params: string) =>
    new Promise<RpcOutcome>((resolve) => {
      const calls = pending.get(socket.id) ?? new Set();
      if (calls.size >= MAX_PENDING_PER_HANDLER) {
        return resolve({ ok: false, code: "busy", error: `The handler of ${method} has ${calls.size} calls waiting; try again later` });
      }
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
    /** Whether anyone answers `method` now: checked before any crypto is spent on a call. */
    has: (method: string): boolean => lookup(method) !== undefined,
    async call(method: string, call: AdmittedCall): Promise<RpcOutcome> {
      const owner = lookup(method);
      if (!owner) return { ok: false, code: "no-handler", error: `No handler registered for method: ${method}` };
      if (owner.kind === "socket") return forward(owner.socket, method, call.params);
      try {
        return { ok: true, result: call.cipher.encrypt(await owner.handler(call.plain)) };
      } catch (error) {
        return { ok: false, code: "handler-failed", error: error instanceof Error ? error.message : String(error) };
      }
    },
    size: () => owners.size,
  };
}

export type RpcRegistry = ReturnType<typeof createRpcRegistry>;
