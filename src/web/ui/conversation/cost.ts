import type { ChatMessage } from "../../sync/views.ts";

/**
 * What the session has cost so far, by the messages loaded: Claude Code's `result`
 * carries `total_cost_usd` as a running total of its conversation (also across a
 * resume, which continues from the total its transcript saved), so the newest one is
 * the session's total. Null when no loaded message says (an ACP agent, or a page of
 * one long turn).
 */
export function costSoFar(messages: readonly ChatMessage[]): number | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const plain = messages[i]!.plain;
    if (plain?.role !== "agent" || plain.content.type !== "output") continue;
    const data = plain.content.data;
    if (data.type === "result" && data.total_cost_usd !== undefined) return data.total_cost_usd;
  }
  return null;
}

/**
 * A turn's own cost: the difference between its running total and the one before.
 * The first turn loaded, or one after `/clear` reset the total, is its total.
 */
export function turnCost(total: number, previousTotal: number | null): number {
  return previousTotal !== null && total >= previousTotal ? total - previousTotal : total;
}
