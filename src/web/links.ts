import { loadPairings, forgetPairing, type Pairing } from "./pairing/pairings.ts";
import { createLink, type Link } from "./sync/link.ts";

/** Every paired daemon's live link, created from localStorage at start. */
export function createLinks() {
  const links = new Map<string, Link>();
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) listener();
  };
  const open = (pairing: Pairing) => {
    links.get(pairing.id)?.stop();
    const link = createLink(pairing);
    links.set(pairing.id, link);
    link.start();
  };
  for (const pairing of loadPairings()) open(pairing);

  return {
    all: () => [...links.values()],
    get: (id: string) => links.get(id),
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** A new or re-scanned pairing: a re-scan replaces the old link (new key after a rotation). */
    add(pairing: Pairing) {
      open(pairing);
      changed();
    },
    forget(id: string) {
      links.get(id)?.stop();
      links.delete(id);
      forgetPairing(id);
      changed();
    },
  };
}

export type Links = ReturnType<typeof createLinks>;
