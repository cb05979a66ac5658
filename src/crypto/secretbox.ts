import nacl from "tweetnacl";
import { concatBytes, randomBytes } from "./encoding.ts";

/** Legacy variant: NaCl secretbox under the master secret; bytes nonce(24) | box. */
export function secretboxSeal(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const nonce = randomBytes(nacl.secretbox.nonceLength);
  return concatBytes(nonce, nacl.secretbox(plaintext, nonce, key));
}

export function secretboxOpen(key: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < nacl.secretbox.nonceLength + nacl.secretbox.overheadLength) return null;
  const nonce = sealed.subarray(0, nacl.secretbox.nonceLength);
  return nacl.secretbox.open(sealed.subarray(nacl.secretbox.nonceLength), nonce, key);
}
