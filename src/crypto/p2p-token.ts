import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { toHex, utf8 } from "./encoding.ts";

/**
 * The P2P bearer token: lowercase hex of HMAC-SHA512(secret, "p2p-auth"), as the
 * reference app computes it (PROTOCOL.md §2; SHA-512, not the seed's SHA-256).
 */
export function p2pAuthToken(secret: Uint8Array): string {
  return toHex(hmac(sha512, secret, utf8("p2p-auth")));
}
