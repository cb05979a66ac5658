import { timingSafeEqual } from "node:crypto";
import { ownerProof } from "../crypto/owner-proof.ts";
import type { SocketAuth } from "../protocol/handshake.ts";

/**
 * Checks the owner proof of a session- or machine-scoped handshake (src/crypto/owner-proof.ts):
 * "owner" when it proves the scope, "none" when it carries no proof (it may still receive
 * its scope's updates, but registers no RPC names), "invalid" when it carries a wrong one.
 */
export function createOwnerCheck(controlKey: Uint8Array) {
  return (auth: SocketAuth): "owner" | "none" | "invalid" => {
    if (auth.clientType === "user-scoped" || auth.proof === undefined) return "none";
    const scope = auth.clientType === "session-scoped" ? { kind: "session" as const, id: auth.sessionId } : { kind: "machine" as const, id: auth.machineId };
    const expected = Buffer.from(ownerProof(controlKey, scope));
    const given = Buffer.from(auth.proof);
    return given.length === expected.length && timingSafeEqual(given, expected) ? "owner" : "invalid";
  };
}

export type OwnerCheck = ReturnType<typeof createOwnerCheck>;
