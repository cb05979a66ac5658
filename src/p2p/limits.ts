/** Bounds on everything a P2P client controls; a misbehaving client degrades itself only. */
export type P2pLimits = Readonly<{
  /** Largest message ciphertext (base64 characters). */
  messageBytes: number;
  /** Most simultaneous Socket.IO connections. */
  maxConnections: number;
  /** How long `rpc-call` waits for the handler's answer. */
  rpcTimeoutMs: number;
  /** Largest REST body. */
  restBodyBytes: number;
}>;

export const DEFAULT_LIMITS: P2pLimits = Object.freeze({
  messageBytes: 1024 * 1024,
  maxConnections: 4096,
  rpcTimeoutMs: 30_000,
  restBodyBytes: 2 * 1024 * 1024,
});

/**
 * What a connection may cost before it has shown the token, and what any connection may
 * leave unsent. Fixed: they protect the daemon, no user needs to tune them.
 */
export const TRANSPORT_BOUNDS = Object.freeze({
  /** engine.io sessions that have not joined "/" with a valid token yet, in all. */
  pendingSessions: 1024,
  /**
   * The same from one remote address (local sessions and the ngrok tunnel share 127.0.0.1).
   * Above the shared load generator's 100 handshakes in flight: a busy client is not refused.
   */
  pendingPerAddress: 128,
  /**
   * How long a session may stay without joining "/" with a valid token: socket.io's
   * `connectTimeout` (45 s by default). A client joins one round trip after the handshake.
   */
  joinTimeoutMs: 5_000,
  /** Unsent bytes one connection may have; the server raises it to two of its largest frames. */
  unsentBytes: 4 * 1024 * 1024,
  /**
   * What Bun may hold unread for one websocket; further frames wait in our queue, where a
   * broadcast is one string shared by every socket instead of a copy in each.
   */
  handOverBytes: 256 * 1024,
});
