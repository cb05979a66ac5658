import { createHash, timingSafeEqual } from "node:crypto";
import { p2pAuthToken } from "../crypto/p2p-token.ts";

/** How many replaced tokens the daemon still recognises, to say "rotated" instead of "wrong". */
const MAX_RETIRED = 16;

export const ROTATED_KEY_MESSAGE =
  "this pairing key was replaced by `remcli daemon qr --rotate`; scan the new QR code";

const digestOf = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

/**
 * The bearer token every P2P client presents, derived from the shared secret as the
 * reference app derives it (PROTOCOL.md §2). Swappable at run time for `qr --rotate`;
 * the tokens it replaced are remembered by digest only, so an old QR can be told
 * apart from a wrong one.
 */
export function createTokenCheck(secret: Uint8Array, retiredDigests: readonly string[] = []) {
  let current = p2pAuthToken(secret);
  let expected = Buffer.from(current, "utf8");
  const retired = new Set(retiredDigests.slice(-MAX_RETIRED));
  return {
    rotate(next: Uint8Array) {
      retired.add(digestOf(current));
      while (retired.size > MAX_RETIRED) retired.delete(retired.values().next().value!);
      current = p2pAuthToken(next);
      expected = Buffer.from(current, "utf8");
    },
    /** The digests of the tokens rotations replaced, oldest first (kept across restarts). */
    retiredDigests: (): string[] => [...retired],
    /** Constant time in the token's content; only a wrong length returns early. */
    matches(candidate: unknown): boolean {
      if (typeof candidate !== "string") return false;
      const given = Buffer.from(candidate, "utf8");
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
    /** A token that worked before a rotation (the old QR), not just any wrong one. */
    wasRotated(candidate: unknown): boolean {
      return typeof candidate === "string" && retired.has(digestOf(candidate));
    },
    bearerOf(header: string | undefined): string | undefined {
      // The auth scheme is case-insensitive (RFC 9110 §11.1).
      return /^bearer\s+(.+)$/i.exec(header ?? "")?.[1]?.trim();
    },
    fromAuthorization(header: string | undefined): boolean {
      const token = this.bearerOf(header);
      return token !== undefined && this.matches(token);
    },
  };
}

export type TokenCheck = ReturnType<typeof createTokenCheck>;
