import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex, utf8 } from "./encoding.ts";

export type OwnerScope = { kind: "session" | "machine"; id: string };

/**
 * What a session or machine connection shows to own its RPC names (remcli extension of the
 * handshake): HMAC-SHA256 under the daemon's control key, which only local processes of
 * this user can read (it never crosses the network). The bearer token alone, sniffed on
 * the Wi-Fi, cannot make one.
 */
export function ownerProof(controlKey: Uint8Array, scope: OwnerScope): string {
  return toHex(hmac(sha256, controlKey, utf8(`remcli-owner\0${scope.kind}\0${scope.id}`)));
}
