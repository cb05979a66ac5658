import { fromBase64 } from "../../crypto/encoding.ts";
import { p2pAuthToken } from "../../crypto/p2p-token.ts";
import { pairingEndpoint, type PairingPayload } from "../../protocol/pairing.ts";
import { urlHost } from "../../protocol/reach.ts";
import { loadPairings, rememberPairing, type Pairing } from "./pairings.ts";

/** How long the daemon gets to say whether a key is good before we stop waiting. */
const CHECK_TIMEOUT_MS = 5_000;

export type KeyCheck = "valid" | "stale" | "unreachable" | "unchecked";

export type Accepted =
  | { ok: true; pairing: Pairing; notice: string }
  /** Nothing was stored; `problem` is a sentence for the user. */
  | { ok: false; problem: string };

const label = (payload: PairingPayload) => (payload.port ? `${urlHost(payload.host)}:${payload.port}` : payload.host.replace(/^https?:\/\//, ""));

/**
 * Asks the daemon whether a pairing's key still opens it: an authenticated GET with the
 * token the key derives. Only for this page's own daemon: another origin's answer is not
 * ours to read (CORS), so its pairing is kept unchecked and checked when used there.
 */
export async function checkKey(payload: PairingPayload): Promise<KeyCheck> {
  const endpoint = pairingEndpoint(payload);
  if (new URL(endpoint).origin !== location.origin) return "unchecked";
  const secret = fromBase64(payload.key);
  if (!secret || secret.length !== 32) return "stale";
  try {
    const response = await fetch(`${endpoint}/v1/account/profile`, {
      headers: { authorization: `Bearer ${p2pAuthToken(secret)}` },
      cache: "no-store",
      signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
    });
    if (response.status === 401) return "stale";
    return response.ok ? "valid" : "unreachable";
  } catch {
    return "unreachable";
  }
}

/**
 * Stores a scanned, pasted or typed pairing — but never lets a key the daemon refuses
 * (an old QR after `remcli daemon qr --rotate`) replace a pairing that works, and never
 * stores one the daemon has just refused.
 */
export async function acceptPairing(payload: PairingPayload, what: "QR" | "key" = "QR"): Promise<Accepted> {
  const endpoint = pairingEndpoint(payload);
  const existing = loadPairings().find((p) => p.endpoint === endpoint);
  const where = label(payload);
  if (fromBase64(payload.key)?.length !== 32) return { ok: false, problem: "That key is not a remcli pairing key (32 bytes, base64)." };
  if (existing?.key === payload.key) return { ok: true, pairing: rememberPairing(payload), notice: `Already paired with ${where}.` };
  const check = await checkKey(payload);
  if (check === "stale") {
    return {
      ok: false,
      problem:
        `This ${what} is out of date: the daemon at ${where} no longer accepts its key (a newer one was made with \`remcli daemon qr --rotate\`). ` +
        `${existing ? "Your current pairing is kept. " : ""}Run \`remcli daemon qr\` on the computer for the current one.`,
    };
  }
  if (check === "unreachable" && existing) {
    return {
      ok: false,
      problem: `Could not check this ${what} with the daemon at ${where} (it does not answer), so your current pairing is kept. Open the link again once the computer is reachable.`,
    };
  }
  const pairing = rememberPairing(payload);
  return { ok: true, pairing, notice: check === "unreachable" ? `Paired with ${where}; it does not answer yet.` : `Paired with ${where}.` };
}
