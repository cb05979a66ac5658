import type { Cipher } from "../crypto/session-cipher.ts";
import { RpcRequest, type ClientSocket } from "../protocol/events.ts";
import { errorMessage } from "../shared/errors.ts";

export type RpcHandler = (params: unknown) => Promise<unknown> | unknown;

/**
 * The session's own RPCs (`<sessionId>:<name>`, PROTOCOL.md §4). Registrations live
 * and die with a connection, so every (re)connect registers them again — also with a
 * daemon that restarted and knows nothing of us. Params must decrypt under the
 * session key: the bearer token alone must never be enough to act.
 */
export function createSessionRpc(socket: ClientSocket, sid: string, cipher: Cipher) {
  const handlers = new Map<string, RpcHandler>();
  const prefix = `${sid}:`;

  const register = (name: string) => socket.emit("rpc-register", { method: prefix + name });
  socket.on("connect", () => {
    for (const name of handlers.keys()) register(name);
  });

  socket.on("rpc-request", async (raw: unknown, ack?: (answer: string) => void) => {
    if (typeof ack !== "function") return;
    const request = RpcRequest.safeParse(raw);
    const handler = request.success && request.data.method.startsWith(prefix) ? handlers.get(request.data.method.slice(prefix.length)) : undefined;
    if (!request.success || !handler) return ack(cipher.encrypt({ error: "unknown method" }));
    const params = typeof request.data.params === "string" ? cipher.decrypt(request.data.params) : null;
    if (params === null) return ack(cipher.encrypt({ error: "params did not decrypt with this session's key" }));
    try {
      ack(cipher.encrypt((await handler(params)) ?? null));
    } catch (error) {
      ack(cipher.encrypt({ error: errorMessage(error) }));
    }
  });

  return {
    /** Serves `name` from now on (and after every reconnect); a second call replaces the handler. */
    serve(name: string, handler: RpcHandler) {
      const isNew = !handlers.has(name);
      handlers.set(name, handler);
      if (isNew && socket.connected) register(name);
    },
  };
}

export type SessionRpc = ReturnType<typeof createSessionRpc>;
