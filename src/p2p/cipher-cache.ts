import { nativeAead } from "../crypto/native.ts";
import { contentKeyPair, type BoxKeyPair } from "../crypto/data-key.ts";
import { createCipher, type Cipher } from "../crypto/session-cipher.ts";
import type { Store } from "../store/store.ts";

const MAX_CACHED = 1_024;

/**
 * The cipher of each session and machine, built once: unwrapping a data key costs two
 * curve25519 operations (~1.7 ms), far too much to pay again for every RPC call, or
 * for every refused one. Keyed by id and data key, so a re-keyed scope gets a new one.
 */
export function createCipherCache(store: Store, initialSecret: Uint8Array) {
  let secret = initialSecret;
  let keyPair: BoxKeyPair | null = null;
  const ciphers = new Map<string, { dataKey: string | null; cipher: Cipher }>();
  const pair = () => (keyPair ??= contentKeyPair(secret));
  /**
   * Session data keys, read once: a session's key is set when it is created and changes
   * only when a rotation re-wraps it, which clears this. Every phone message asks for its
   * session's key, and the two SQLite reads it cost were a read transaction (two fcntl
   * locks) per message. Machines are looked up each time: their ids are the client's own.
   */
  const sessionKeys = new Map<string, string | null>();
  const sessionKeyOf = (id: string): string | null | undefined => {
    if (sessionKeys.has(id)) return sessionKeys.get(id);
    const key = store.sessions.dataKeyOf(id);
    if (key === undefined) return undefined;
    if (sessionKeys.size >= MAX_CACHED) sessionKeys.delete(sessionKeys.keys().next().value!);
    sessionKeys.set(id, key);
    return key;
  };

  return {
    /** The cipher of the session or machine `id`, or null when there is no such thing. */
    forScope(id: string): Cipher | null {
      const ofSession = sessionKeyOf(id);
      // null is a legacy-variant scope (no data key), not a missing one.
      const dataKey = ofSession !== undefined ? ofSession : store.machines.dataKeyOf(id);
      if (dataKey === undefined) return null;
      const cached = ciphers.get(id);
      if (cached && cached.dataKey === dataKey) return cached.cipher;
      if (ciphers.size >= MAX_CACHED) ciphers.delete(ciphers.keys().next().value!);
      const cipher = createCipher(secret, dataKey, { keyPair: pair, aead: nativeAead });
      ciphers.set(id, { dataKey, cipher });
      return cipher;
    },
    /**
     * Whether `text` authenticates under the data key of session `id`. Only data-key
     * sessions are checked (ours all are; a session process never runs a legacy one):
     * the legacy variant's pure-JS secretbox costs ~200 µs per KB, too much for every message.
     */
    opensUnderDataKey(id: string, text: string): boolean {
      if (sessionKeyOf(id) == null) return false;
      return this.forScope(id)?.decrypt(text) != null;
    },
    rotate(next: Uint8Array) {
      secret = next;
      keyPair = null;
      ciphers.clear();
      sessionKeys.clear();
    },
  };
}

export type CipherCache = ReturnType<typeof createCipherCache>;
