import type { ChatMessage } from "../../sync/views.ts";

/**
 * When the turn still running began, by the stored messages: the newest prompt (the
 * phone's, or one typed in the terminal) with no end of turn after it (Claude Code's
 * `result`, an ACP agent's `task_complete` or `turn_aborted`). Null when the newest
 * loaded turn has ended, or none is loaded. On the daemon's clock.
 */
export function turnStartedAt(messages: readonly ChatMessage[]): number | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    const plain = message.plain;
    if (!plain) continue;
    if (plain.role === "user") return message.createdAt;
    const content = plain.content;
    if (content.type === "acp") {
      if (content.data.type === "task_complete" || content.data.type === "turn_aborted") return null;
      continue;
    }
    if (content.type !== "output") continue;
    const data = content.data;
    if (data.type === "result") return null;
    if (data.type === "user" && !data.isMeta && isPrompt(data.message.content)) return message.createdAt;
  }
  return null;
}

/** A prompt typed in the terminal, not a tool result that comes back as a `user` record. */
function isPrompt(content: unknown): boolean {
  if (typeof content === "string") return true;
  return Array.isArray(content) && content.some((block) => (block as { type?: string }).type === "text");
}
