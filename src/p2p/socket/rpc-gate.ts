import { LIMITS } from "../../protocol/limits.ts";
import type { Store } from "../../store/store.ts";
import type { CipherCache } from "../cipher-cache.ts";
import type { AdmittedCall } from "./rpc-registry.ts";
import { ciphertextDigest } from "../../crypto/native.ts";
import type { RefusalSummary } from "../refusal-summary.ts";

/** (remcli extension) How old timestamped params may be (`_sentAt`, in the daemon's clock). */
export const RPC_MAX_AGE_MS = 5 * 60_000;
/** …and how far ahead of the daemon's clock. */
export const RPC_MAX_AHEAD_MS = 60_000;
/** The shortest params that can authenticate: base64 of 0x00 | nonce(12) | tag(16). */
const MIN_PARAMS_CHARS = 40;

export type Admitted = { ok: true } & AdmittedCall;
export type Refused = { ok: false; error: string };

function sentAtOf(plain: unknown): number | null {
  const sentAt = (plain as { _sentAt?: unknown } | null)?._sentAt;
  return typeof sentAt === "number" && Number.isFinite(sentAt) ? sentAt : null;
}

/**
 * Whether the params of an `rpc-call` may act on the computer: an encrypted string
 * (checked by shape and size first, the cheap part) that authenticates under the key of
 * the session or machine the method names, not older than its age window when it says
 * when it was sent, and never seen before, across restarts. Only what authenticates is
 * remembered, so nobody without the secret can fill the table. The bearer token alone,
 * sniffed on the Wi-Fi, therefore runs nothing, and a sniffed call runs nothing twice.
 */
export function createRpcGate(deps: { store: Store; ciphers: CipherCache; refused: RefusalSummary }) {
  const refuse = (why: string, error: string): Refused => {
    deps.refused.record(why);
    return { ok: false, error };
  };

  return {
    admit(method: string, params: unknown, now = Date.now()): Admitted | Refused {
      const scope = method.slice(0, method.indexOf(":"));
      if (typeof params !== "string" || params.length < MIN_PARAMS_CHARS || params.length > LIMITS.rpcParams) {
        return refuse("params not an encrypted string", "params must be an encrypted string (PROTOCOL.md §7)");
      }
      const cipher = deps.ciphers.forScope(scope);
      if (!cipher) return refuse("no such scope", `No handler registered for method: ${method}`);
      const plain = cipher.decrypt(params);
      if (plain === null) return refuse("params did not decrypt", `params did not decrypt with the key of ${scope}; pair again`);
      const sentAt = sentAtOf(plain);
      if (sentAt !== null && (sentAt < now - RPC_MAX_AGE_MS || sentAt > now + RPC_MAX_AHEAD_MS)) {
        const seconds = Math.round((now - sentAt) / 1000);
        const when = seconds > 0 ? `${seconds} s ago` : `${-seconds} s ahead of this computer's clock`;
        return refuse("params too old", `params were sent ${when}; refused as a possible replay`);
      }
      const expiresAt = sentAt === null ? null : sentAt + RPC_MAX_AGE_MS;
      if (!deps.store.rpcSeen.recordOnce(ciphertextDigest(params), scope, now, expiresAt)) {
        return refuse("params replayed", "these params were already used once; a replayed call is refused");
      }
      return { ok: true, params, plain, cipher };
    },
  };
}

export type RpcGate = ReturnType<typeof createRpcGate>;
