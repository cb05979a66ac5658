import { z } from "zod";
import { LIMITS } from "./limits.ts";

const Token = z.string().min(1).max(256);
const Id = z.string().min(1).max(LIMITS.id);
/**
 * (remcli extension) A local process of this daemon proves it is one: an HMAC of its
 * scope under the daemon's control key (src/p2p/owner-proof.ts). Without it a scoped
 * connection still receives its scope's updates, but owns no RPC names.
 */
const Proof = z.string().regex(/^[0-9a-f]{64}$/).optional();

/**
 * Socket.IO handshake `auth` (PROTOCOL.md §2–3), one variant per scope: the scope
 * decides what a connection receives and which RPC names it may own. A missing
 * clientType is a phone (user-scoped), as with the reference.
 */
export const SocketAuth = z.preprocess(
  (raw) => (raw && typeof raw === "object" && !Array.isArray(raw) && !("clientType" in raw) ? { ...raw, clientType: "user-scoped" } : raw),
  z.discriminatedUnion("clientType", [
    z.object({ clientType: z.literal("user-scoped"), token: Token }),
    z.object({ clientType: z.literal("session-scoped"), token: Token, sessionId: Id, proof: Proof }),
    z.object({ clientType: z.literal("machine-scoped"), token: Token, machineId: Id, proof: Proof }),
  ]),
);
export type SocketAuth = z.infer<typeof SocketAuth>;
