import { PairingPayload } from "../../protocol/pairing.ts";

export type FragmentResult =
  | { kind: "none" }
  | { kind: "pairing"; payload: PairingPayload }
  | { kind: "invalid"; reason: string };

/** Reads the QR's URL fragment (PROTOCOL.md §1): `#<encodeURIComponent(JSON payload)>`. */
export function readPairingFragment(hash: string): FragmentResult {
  const raw = hash.replace(/^#/, "");
  if (raw === "") return { kind: "none" };
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

/** Removes the secret from the address bar and from this history entry. */
export function clearFragment(path = "/"): void {
  history.replaceState(null, "", path);
}
