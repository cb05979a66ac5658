import { gcm } from "@noble/ciphers/aes.js";
import { concatBytes, randomBytes } from "./encoding.ts";

const VERSION = 0;
const NONCE = 12;
const TAG = 16;

/** An AES-256-GCM implementation in the wire's byte layout. */
export type Aead = {
  seal(key: Uint8Array, plaintext: Uint8Array): Uint8Array;
  open(key: Uint8Array, sealed: Uint8Array): Uint8Array | null;
};

export const AES_GCM_LAYOUT = { version: VERSION, nonce: NONCE, tag: TAG } as const;

/** dataKey variant: AES-256-GCM; bytes 0x00 | nonce(12) | ciphertext | tag(16). */
export function aesGcmSeal(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE);
  return concatBytes(new Uint8Array([VERSION]), nonce, gcm(key, nonce).encrypt(plaintext));
}

export function aesGcmOpen(key: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < 1 + NONCE + TAG || sealed[0] !== VERSION) return null;
  try {
    return gcm(key, sealed.subarray(1, 1 + NONCE)).decrypt(sealed.subarray(1 + NONCE));
  } catch {
    return null;
  }
}

/** Pure JS, for the browser (a page on http://<LAN-IP> has no WebCrypto). About 100 ms per MB. */
export const jsAead: Aead = { seal: aesGcmSeal, open: aesGcmOpen };
