import type { UserTurn } from "./agent.ts";
import { MAX_QUEUED_TURNS } from "./turn-queue.ts";

/** A mode's answer to a turn: taken, or declined (it stays first in line and the mode stops listening). */
export type Take = (turn: UserTurn) => "taken" | "declined";

/**
 * The phone's turns as they arrive, in order. Whichever mode runs takes them: the
 * remote mode feeds its agent, the local mode declines the first one and hands the
 * terminal over to the phone. With nobody listening (between modes) they wait here,
 * never dropped.
 */
export function createInbox() {
  const waiting: UserTurn[] = [];
  let listener: Take | null = null;

  const offer = (turn: UserTurn, take: Take): boolean => {
    if (take(turn) === "taken") return true;
    waiting.unshift(turn);
    if (listener === take) listener = null;
    return false;
  };

  return {
    push(turn: UserTurn): boolean {
      if (listener && waiting.length === 0) {
        offer(turn, listener);
        return true;
      }
      if (waiting.length >= MAX_QUEUED_TURNS) return false;
      waiting.push(turn);
      return true;
    },
    /** Offers every turn from now on, starting with those that waited; returns the release. */
    listen(take: Take): () => void {
      listener = take;
      while (listener === take && waiting.length > 0) offer(waiting.shift()!, take);
      return () => {
        if (listener === take) listener = null;
      };
    },
    /** Puts turns back at the front (a mode ended before its agent took them). */
    unshift(turns: UserTurn[]) {
      waiting.unshift(...turns);
    },
    size: () => waiting.length,
  };
}

export type Inbox = ReturnType<typeof createInbox>;
