/** Upper bounds of wire fields; the server checks the configurable message limit on top. */
export const LIMITS = {
  /** Hard cap of one message's ciphertext; the daemon's configured limit is usually lower. */
  messageMax: 16 * 1024 * 1024,
  /** Encrypted metadata, agent state, daemon state. */
  blobMax: 1024 * 1024,
  id: 200,
  tag: 500,
  localId: 200,
  method: 200,
  rpcParams: 4 * 1024 * 1024,
  dataEncryptionKey: 1024,
} as const;
