import { sha512 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import { deriveKey } from "./derive-key.ts";
import { concatBytes, fromBase64, randomBytes, toBase64 } from "./encoding.ts";

export const DATA_KEY_BYTES = 32;

export type BoxKeyPair = { publicKey: Uint8Array; secretKey: Uint8Array };

/**
 * The content key pair that wraps every data key: libsodium's crypto_box_seed_keypair
 * of deriveKey(master, "Remcli Encrypt", ["content"]) — the secret key is the first
 * 32 bytes of SHA-512(seed), which is what the reference app gets from libsodium.
 */
export function contentKeyPair(master: Uint8Array): BoxKeyPair {
  const seed = deriveKey(master, "Remcli Encrypt", ["content"]);
  return nacl.box.keyPair.fromSecretKey(sha512(seed).slice(0, 32));
}

/**
 * The curve25519 parts of NaCl's box: the shared key of a key pair and a public key
 * (`crypto_box_beforenm`), and fresh key pairs. Pure JS by default (the web app); the
 * daemon passes native ones (crypto/native.ts), ~25× faster, where it wraps many keys.
 */
export type BoxCurve = {
  before(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array;
  keyPair(): BoxKeyPair;
};
export const jsBoxCurve: BoxCurve = { before: (publicKey, secretKey) => nacl.box.before(publicKey, secretKey), keyPair: () => nacl.box.keyPair() };

/** base64(0x00 | ephemeralPublicKey(32) | nonce(24) | box): a data key sealed to `recipient`. */
export function wrapDataKey(dataKey: Uint8Array, recipient: Uint8Array, curve: BoxCurve = jsBoxCurve): string {
  const ephemeral = curve.keyPair();
  const nonce = randomBytes(nacl.box.nonceLength);
  const box = nacl.box.after(dataKey, nonce, curve.before(recipient, ephemeral.secretKey));
  return toBase64(concatBytes(new Uint8Array([0]), ephemeral.publicKey, nonce, box));
}

export function unwrapDataKey(wrapped: string, secretKey: Uint8Array, curve: BoxCurve = jsBoxCurve): Uint8Array | null {
  const bytes = fromBase64(wrapped);
  const header = 1 + nacl.box.publicKeyLength + nacl.box.nonceLength;
  if (!bytes || bytes.length < header + nacl.box.overheadLength || bytes[0] !== 0) return null;
  const ephemeralPublic = bytes.subarray(1, 1 + nacl.box.publicKeyLength);
  const nonce = bytes.subarray(1 + nacl.box.publicKeyLength, header);
  const key = nacl.box.open.after(bytes.subarray(header), nonce, curve.before(ephemeralPublic, secretKey));
  // Data keys are AES-256 keys; any other length would silently pick another cipher.
  return key?.length === DATA_KEY_BYTES ? key : null;
}
