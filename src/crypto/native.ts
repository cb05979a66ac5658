import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { AES_GCM_LAYOUT, type Aead } from "./aes-gcm.ts";
import { fromBase64 } from "./encoding.ts";
import { createCipher, type Cipher } from "./session-cipher.ts";

const { version: VERSION, nonce: NONCE, tag: TAG } = AES_GCM_LAYOUT;

/**
 * AES-256-GCM through the runtime's native crypto: ~0.6 ms per MB where the pure-JS one
 * takes ~100 ms. For the daemon and session processes; never imported by the web app.
 */
export const nativeAead: Aead = {
  seal(key, plaintext) {
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    return Buffer.concat([Buffer.of(VERSION), nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  },
  open(key, sealed) {
    if (sealed.length < 1 + NONCE + TAG || sealed[0] !== VERSION) return null;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(1, 1 + NONCE));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
      return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE, sealed.length - TAG)), decipher.final()]);
    } catch {
      return null;
    }
  },
};

/** createCipher with native AES-GCM, for code that runs under Bun. */
export function createNativeCipher(master: Uint8Array, dataEncryptionKey: string | null): Cipher {
  return createCipher(master, dataEncryptionKey, { aead: nativeAead });
}

/**
 * What identifies a ciphertext for replay checks: SHA-256 of its decoded bytes, cut to
 * 16 bytes. Of the bytes, not the text: base64 allows several spellings of the same bytes
 * (the unused bits of the last character), and the receiver decrypts the bytes. Text that
 * is not base64 is digested as it is (it decrypts to nothing anyway).
 */
export function ciphertextDigest(text: string): Uint8Array {
  const bytes = fromBase64(text) ?? Buffer.from(text, "utf8");
  return createHash("sha256").update(bytes).digest().subarray(0, 16);
}
