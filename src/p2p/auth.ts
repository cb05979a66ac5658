import { timingSafeEqual } from "node:crypto";
import { p2pAuthToken } from "../crypto/p2p-token.ts";

/**
 * The bearer token every P2P client presents, derived from the shared secret as the
 * reference app derives it (PROTOCOL.md §2). Swappable at run time for `qr --rotate`.
 */
export function createTokenCheck(secret: Uint8Array) {
  let expected = Buffer.from(p2pAuthToken(secret), "utf8");
  return {
    rotate(next: Uint8Array) {
      expected = Buffer.from(p2pAuthToken(next), "utf8");
    },
    /** Constant time in the token's content; only a wrong length returns early. */
    matches(candidate: unknown): boolean {
      if (typeof candidate !== "string") return false;
      const given = Buffer.from(candidate, "utf8");
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
    fromAuthorization(header: string | undefined): boolean {
      // The auth scheme is case-insensitive (RFC 9110 §11.1).
      const token = /^bearer\s+(.+)$/i.exec(header ?? "")?.[1];
      return token !== undefined && this.matches(token.trim());
    },
  };
}

export type TokenCheck = ReturnType<typeof createTokenCheck>;
