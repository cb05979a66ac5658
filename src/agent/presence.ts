import type { SessionLink } from "./session-link.ts";

export type Mode = "local" | "remote";

/**
 * `session-alive` for the phone's activity view: sent at once when thinking or the
 * mode changes, and repeated so the session stays "online" while nothing happens.
 */
export function createPresence(link: SessionLink, everyMs: number, mode: Mode) {
  let thinking = false;
  const beat = () => link.alive(thinking, mode);
  beat();
  const timer = setInterval(beat, everyMs);
  return {
    setThinking(next: boolean) {
      if (next === thinking) return;
      thinking = next;
      beat();
    },
    setMode(next: Mode) {
      mode = next;
      thinking = false;
      beat();
    },
    mode: () => mode,
    stop: () => clearInterval(timer),
  };
}

export type Presence = ReturnType<typeof createPresence>;
