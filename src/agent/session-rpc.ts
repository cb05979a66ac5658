import type { Cipher } from "../crypto/session-cipher.ts";
import { RpcRequest, type ClientSocket } from "../protocol/events.ts";
import { errorMessage } from "../shared/errors.ts";

export type RpcHandler = (params: unknown) => Promise<unknown> | unknown;

const REGISTER_ATTEMPTS = 5;
const REGISTER_ACK_MS = 5_000;
const REGISTER_RETRY_MS = 500;

/**
 * The session's own RPCs (`<sessionId>:<name>`, PROTOCOL.md §4). Registrations live
 * and die with a connection, so every (re)connect registers them again — also with a
 * daemon that restarted and knows nothing of us. A refused registration is retried a
 * few times and then reported: a session whose `permission` nobody can call must say
 * so, not wait forever. Params must decrypt under the session key: the bearer token
 * alone must never be enough to act.
 */
export function createSessionRpc(socket: ClientSocket, sid: string, cipher: Cipher) {
  const handlers = new Map<string, RpcHandler>();
  const prefix = `${sid}:`;
  const failed: Array<(name: string, error: string) => void> = [];

  const register = async (name: string) => {
    let error = "no answer from the daemon";
    for (let attempt = 0; attempt < REGISTER_ATTEMPTS && socket.connected; attempt++) {
      if (attempt > 0) await Bun.sleep(REGISTER_RETRY_MS * attempt);
      const ack = await socket.timeout(REGISTER_ACK_MS).emitWithAck("rpc-register", { method: prefix + name }).catch(() => null);
      if (ack?.ok) return;
      if (ack) error = ack.error;
    }
    // Disconnected meanwhile: the next connect registers again.
    if (socket.connected) for (const listener of failed) listener(name, error);
  };
  socket.on("connect", () => {
    for (const name of handlers.keys()) void register(name);
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
      if (isNew && socket.connected) void register(name);
    },
    /** Told when a method could not be registered after its retries. */
    onRegisterFailed(listener: (name: string, error: string) => void) {
      failed.push(listener);
    },
  };
}

export type SessionRpc = ReturnType<typeof createSessionRpc>;
