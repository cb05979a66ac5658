import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { concatBytes, utf8 } from "./encoding.ts";

/**
 * The key tree of PROTOCOL.md §7: a root HMAC-SHA512 keyed by "<usage> Master Seed",
 * then one HMAC-SHA512 per path element keyed by the chain code; left half is the key.
 */
export function deriveKey(master: Uint8Array, usage: string, path: string[]): Uint8Array {
  let node = hmac(sha512, utf8(`${usage} Master Seed`), master);
  for (const element of path) {
    node = hmac(sha512, node.slice(32, 64), concatBytes(new Uint8Array([0]), utf8(element)));
  }
  return node.slice(0, 32);
}
