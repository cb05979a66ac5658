import { PairingPayload } from "../../protocol/pairing.ts";

export type FragmentResult =
  | { kind: "none" }
  | { kind: "pairing"; payload: PairingPayload }
  | { kind: "invalid"; reason: string };

/** What a compact link leaves to the page: the address it was opened at. */
type Here = Pick<Location, "protocol" | "hostname" | "port" | "origin">;

/**
 * Reads the QR's URL fragment (PROTOCOL.md §1): `#<encodeURIComponent(JSON payload)>`, or
 * the compact form `daemon qr` draws in a small terminal, `#k=<base64url key>`, whose
 * host and port are those of the page itself (src/p2p/qr.ts compactPairingUrl).
 */
export function readPairingFragment(hash: string, here?: Here): FragmentResult {
  const raw = hash.replace(/^#/, "");
  if (raw === "") return { kind: "none" };
  if (raw.startsWith("k=")) return compact(raw.slice(2), here ?? location);
  let json: unknown;
  try {
    json = JSON.parse(decodeURIComponent(raw));
  } catch {
    return { kind: "invalid", reason: "the link's pairing data is not readable (was it cut short?)" };
  }
  const parsed = PairingPayload.safeParse(json);
  if (!parsed.success) return { kind: "invalid", reason: "the link does not carry a remcli pairing" };
  return { kind: "pairing", payload: parsed.data };
}

function compact(key: string, here: Here): FragmentResult {
  // 32 bytes are 43 base64url characters without padding.
  if (!/^[A-Za-z0-9_-]{43}$/.test(key)) return { kind: "invalid", reason: "the link's key is not readable (was it cut short?)" };
  const standard = `${key.replaceAll("-", "+").replaceAll("_", "/")}=`;
  // Through a tunnel (https) the endpoint is the origin itself, as in the full payload.
  const where = here.protocol === "https:" ? { host: here.origin, port: 0 } : { host: here.hostname.replace(/^\[|\]$/g, ""), port: Number(here.port || 80) };
  return { kind: "pairing", payload: { mode: "p2p", ...where, key: standard, v: 1 } };
}

/** Removes the secret from the address bar and from this history entry. */
export function clearFragment(path = "/"): void {
  history.replaceState(null, "", path);
}
