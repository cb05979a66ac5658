import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from "node:crypto";
import nacl from "tweetnacl";
import type { BoxCurve } from "./data-key.ts";
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

// DER headers of raw X25519 keys (RFC 8410): PKCS#8 for a private key, SPKI for a public one.
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");
/** HSalsa20's constant, "expand 32-byte k": box's shared key is HSalsa20 of the X25519 result. */
const SIGMA = new Uint8Array(Buffer.from("expand 32-byte k", "latin1"));
type LowLevel = { crypto_core_hsalsa20(out: Uint8Array, input: Uint8Array, key: Uint8Array, constant: Uint8Array): void };

/**
 * NaCl box's curve25519 steps through the runtime's X25519 (~0.03 ms where tweetnacl takes
 * ~0.9 ms): for the daemon re-wrapping every data key at `qr --rotate`. The same bytes as
 * tweetnacl's (test/crypto checks both).
 */
export const nativeBoxCurve: BoxCurve = {
  before(publicKey, secretKey) {
    const shared = diffieHellman({
      privateKey: createPrivateKey({ key: Buffer.concat([PKCS8_X25519, secretKey]), format: "der", type: "pkcs8" }),
      publicKey: createPublicKey({ key: Buffer.concat([SPKI_X25519, publicKey]), format: "der", type: "spki" }),
    });
    const key = new Uint8Array(32);
    (nacl as unknown as { lowlevel: LowLevel }).lowlevel.crypto_core_hsalsa20(key, new Uint8Array(16), new Uint8Array(shared), SIGMA);
    return key;
  },
  keyPair() {
    const { privateKey, publicKey } = generateKeyPairSync("x25519");
    return {
      secretKey: new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_X25519.length)),
      publicKey: new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(SPKI_X25519.length)),
    };
  },
};
