import { useMemo } from "preact/hooks";
import type { ChatMessage } from "../../sync/views.ts";
import { money } from "../parts/time.ts";
import { costSoFar } from "./cost.ts";

/**
 * The session's running cost: the newest total in its stored messages (so it is there
 * again after a reload), or the live usage report when that is higher (a turn still
 * running). A fresh agent process reports 0 until its first result, hence the larger.
 */
export function CostLine({ messages, live }: { messages: readonly ChatMessage[]; live: number | null }) {
  const stored = useMemo(() => costSoFar(messages), [messages]);
  const total = Math.max(stored ?? 0, live ?? 0);
  // A first turn still running reports 0 until its result: nothing to show yet.
  if (stored === null && !live) return null;
  return (
    <p class="usage muted" aria-label="Session cost">
      {money(total)} so far
    </p>
  );
}
