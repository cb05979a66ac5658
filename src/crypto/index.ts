export { deriveKey } from "./derive-key.ts";
export { p2pAuthToken } from "./p2p-token.ts";
export { createCipher, newDataEncryptionKey, type Cipher } from "./session-cipher.ts";
export { contentKeyPair, wrapDataKey, unwrapDataKey } from "./data-key.ts";
export { toBase64, fromBase64, toHex } from "./encoding.ts";
