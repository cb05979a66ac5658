import { z } from "zod";
import { pairingEndpoint, type PairingPayload } from "../../protocol/pairing.ts";
import { randomId } from "../sync/ids.ts";

/** One paired daemon as this browser remembers it (localStorage, this origin only). */
export const Pairing = z.object({
  id: z.string(),
  endpoint: z.string(),
  host: z.string(),
  port: z.number(),
  key: z.string(),
  pairedAt: z.number(),
});
export type Pairing = z.infer<typeof Pairing>;

const STORAGE_KEY = "remcli.pairings.v1";

export function loadPairings(): Pairing[] {
  try {
    const parsed = z.array(Pairing).safeParse(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]"));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

function save(pairings: Pairing[]): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(pairings));
}

/**
 * Remembers a scanned pairing. Scanning the same daemon again (same endpoint) replaces
 * its key — that is how a phone recovers from `qr --rotate` — and keeps its id, so
 * open pages and queued messages stay attached to it.
 */
export function rememberPairing(payload: PairingPayload): Pairing {
  const pairings = loadPairings();
  const endpoint = pairingEndpoint(payload);
  const existing = pairings.find((p) => p.endpoint === endpoint);
  const pairing: Pairing = {
    // Random, not derived from the secret: the id appears in page URLs.
    id: existing?.id ?? randomId(6),
    endpoint,
    host: payload.host,
    port: payload.port,
    key: payload.key,
    pairedAt: Date.now(),
  };
  save([pairing, ...pairings.filter((p) => p.id !== pairing.id)]);
  return pairing;
}

export function forgetPairing(id: string): void {
  save(loadPairings().filter((p) => p.id !== id));
  localStorage.removeItem(`remcli.outbox.${id}`);
  localStorage.removeItem(`remcli.snapshot.${id}`);
  localStorage.removeItem(`remcli.notes.${id}`);
}
