import { z } from "zod";
import { pairingEndpoint, type PairingPayload } from "../../protocol/pairing.ts";
import { randomId } from "../sync/ids.ts";
import { forgetEndpoints } from "../sync/endpoints.ts";

/** One paired daemon as this browser remembers it (localStorage, this origin only). */
export const Pairing = z.object({
  id: z.string(),
  endpoint: z.string(),
  host: z.string(),
  port: z.number(),
  key: z.string(),
  pairedAt: z.number(),
  /** (remcli extension) The daemon's other endpoints from the QR's `alt`, best first; none for older pairings. */
  alternatives: z.array(z.string()).default([]),
});
export type Pairing = z.infer<typeof Pairing>;

/** Every endpoint of a pairing, the QR's first. */
export function endpointsOf(pairing: Pick<Pairing, "endpoint" | "alternatives">): string[] {
  return [...new Set([pairing.endpoint, ...pairing.alternatives])];
}

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
 * Remembers a scanned pairing. Scanning the same daemon again (its endpoint among the
 * ones remembered) replaces its key and addresses — that is how a phone recovers from
 * `qr --rotate` — and keeps its id, so open pages and queued messages stay attached to it.
 */
export function rememberPairing(payload: PairingPayload): Pairing {
  const pairings = loadPairings();
  const endpoint = pairingEndpoint(payload);
  const alternatives = (payload.alt ?? []).filter((alt) => alt !== endpoint);
  const existing = pairings.find((p) => p.endpoint === endpoint) ?? pairings.find((p) => endpointsOf(p).includes(endpoint));
  const pairing: Pairing = {
    // Random, not derived from the secret: the id appears in page URLs.
    id: existing?.id ?? randomId(6),
    endpoint,
    host: payload.host,
    port: payload.port,
    key: payload.key,
    pairedAt: Date.now(),
    alternatives,
  };
  save([pairing, ...pairings.filter((p) => p.id !== pairing.id)]);
  return pairing;
}

export function forgetPairing(id: string): void {
  save(loadPairings().filter((p) => p.id !== id));
  localStorage.removeItem(`remcli.outbox.${id}`);
  forgetEndpoints(id);
  localStorage.removeItem(`remcli.snapshot.${id}`);
  localStorage.removeItem(`remcli.notes.${id}`);
}
