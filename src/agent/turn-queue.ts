import type { UserTurn } from "./agent.ts";

/** Turns a busy agent has not started yet; bounded so a flood degrades only its sender. */
export const MAX_QUEUED_TURNS = 1_000;

/**
 * User turns in arrival order, handed out one at a time: `next()` waits until the
 * previous turn is done (`idle()`) and a turn is queued. Nothing is dropped while the
 * agent works; `close()` makes `next()` answer null so the input stream ends.
 */
export function createTurnQueue() {
  const turns: UserTurn[] = [];
  let busy = false;
  let closed = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };

  return {
    push(turn: UserTurn): boolean {
      if (closed || turns.length >= MAX_QUEUED_TURNS) return false;
      turns.push(turn);
      poke();
      return true;
    },
    async next(): Promise<UserTurn | null> {
      for (;;) {
        if (closed) return null;
        if (!busy && turns.length > 0) {
          busy = true;
          return turns.shift()!;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    idle() {
      busy = false;
      poke();
    },
    close() {
      closed = true;
      poke();
    },
    size: () => turns.length,
    /** What is still queued, for handing over to the next mode. */
    drain: () => turns.splice(0),
  };
}
