import { z } from "zod";
import { MachineWire, SessionWire } from "../../protocol/updates.ts";

/** The last machine and session lists a daemon gave, as it gave them (still encrypted). */
const Snapshot = z.object({ machines: z.array(MachineWire), sessions: z.array(SessionWire) });
export type Snapshot = z.infer<typeof Snapshot>;

/** Past this the lists are not kept: localStorage is small and shared by the whole app. */
const MAX_CHARS = 1_000_000;

const keyOf = (pairingId: string) => `remcli.snapshot.${pairingId}`;

/**
 * What a page opened while the daemon is down shows under the offline banner: the lists
 * from the last time it answered, replaced at the next answer.
 */
export function loadSnapshot(pairingId: string): Snapshot | null {
  try {
    const parsed = Snapshot.safeParse(JSON.parse(localStorage.getItem(keyOf(pairingId)) ?? "null"));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveSnapshot(pairingId: string, snapshot: Snapshot): void {
  const text = JSON.stringify(snapshot);
  try {
    if (text.length <= MAX_CHARS) localStorage.setItem(keyOf(pairingId), text);
    else localStorage.removeItem(keyOf(pairingId));
  } catch {
    // Storage full: the app works without it, it only shows less while offline.
  }
}

export function dropSnapshot(pairingId: string): void {
  localStorage.removeItem(keyOf(pairingId));
}

/** A deleted session is gone from the remembered list at once, not at the next answer. */
export function dropFromSnapshot(pairingId: string, sessionId: string): void {
  const kept = loadSnapshot(pairingId);
  if (kept?.sessions.some((s) => s.id === sessionId)) saveSnapshot(pairingId, { ...kept, sessions: kept.sessions.filter((s) => s.id !== sessionId) });
}
