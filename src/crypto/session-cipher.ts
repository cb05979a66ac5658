import { jsAead, type Aead } from "./aes-gcm.ts";
import { contentKeyPair, DATA_KEY_BYTES, unwrapDataKey, wrapDataKey, type BoxKeyPair } from "./data-key.ts";
import { fromBase64, fromUtf8, randomBytes, toBase64, utf8 } from "./encoding.ts";
import { secretboxOpen, secretboxSeal } from "./secretbox.ts";

export type Cipher = {
  /** JSON-encodes and encrypts `value`; standard base64. */
  encrypt(value: unknown): string;
  /** The decrypted JSON value, or null when it does not authenticate or parse. */
  decrypt(encrypted: string): unknown;
};

/**
 * The cipher of one session or machine (PROTOCOL.md §7): AES-256-GCM with its data
 * key when it has one, else the legacy secretbox under the master secret. A data key
 * that does not unwrap under this master gives a cipher that decrypts nothing.
 */
export function createCipher(
  master: Uint8Array,
  dataEncryptionKey: string | null,
  {
    // A phone with many sessions derives this once instead of once per session (a curve25519 operation).
    keyPair = () => contentKeyPair(master),
    aead = jsAead,
  }: { keyPair?: () => BoxKeyPair; aead?: Aead } = {},
): Cipher {
  if (dataEncryptionKey === null) {
    return {
      encrypt: (value) => toBase64(secretboxSeal(master, utf8(JSON.stringify(value)))),
      decrypt: (encrypted) => parseJson(open(encrypted, (bytes) => secretboxOpen(master, bytes))),
    };
  }
  const key = unwrapDataKey(dataEncryptionKey, keyPair().secretKey);
  return {
    encrypt(value) {
      if (!key) throw new Error("the data encryption key does not unwrap under this secret");
      return toBase64(aead.seal(key, utf8(JSON.stringify(value))));
    },
    decrypt: (encrypted) => (key ? parseJson(open(encrypted, (bytes) => aead.open(key, bytes))) : null),
  };
}

function open(encrypted: string, opener: (bytes: Uint8Array) => Uint8Array | null): string | null {
  const bytes = fromBase64(encrypted);
  const plain = bytes ? opener(bytes) : null;
  return plain ? fromUtf8(plain) : null;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A fresh 32-byte data key for a new session or machine, and its wrapped form for the wire. */
export function newDataEncryptionKey(master: Uint8Array): { key: Uint8Array; wrapped: string } {
  const key = randomBytes(DATA_KEY_BYTES);
  return { key, wrapped: wrapDataKey(key, contentKeyPair(master).publicKey) };
}
