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
