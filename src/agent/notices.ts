import { BODY_MAX, oneLine, toolSummary, type SessionNotice } from "../protocol/notify.ts";
import type { AgentOutput } from "./agent.ts";

/** The last non-empty line of an assistant message's text, or null when it has none. */
function lastLineOf(output: AgentOutput): string | null {
  if (output.type !== "assistant") return null;
  const content = (output.message as { content?: unknown } | undefined)?.content;
  if (!Array.isArray(content)) return null;
  const text = content
    .filter((block): block is { type: "text"; text: string } => (block as { type?: unknown }).type === "text" && typeof (block as { text?: unknown }).text === "string")
    .map((block) => block.text)
    .join("\n");
  const line = text.split("\n").map((l) => l.trim()).filter(Boolean).at(-1);
  return line ? oneLine(line, BODY_MAX) : null;
}

/**
 * What the session tells its daemon for the notification channels: a permission request
 * (the tool and a one-line summary of what it wants, never file contents) and a finished
 * turn (the last line of the agent's answer). Sent without waiting.
 */
export function createSessionNotices(notify: (notice: SessionNotice) => void) {
  let answer: string | null = null;
  /** The turn ended with its result: an agent that died mid-turn also goes idle, and that is no "done". */
  let resulted = false;
  return {
    asked(tool: string, input: unknown): void {
      notify({ kind: "permission", tool, summary: toolSummary(tool, input) });
    },
    /** Every agent output: the latest answer line is remembered for the turn's end. */
    output(output: AgentOutput): void {
      answer = lastLineOf(output) ?? answer;
      if (output.type === "result") resulted = true;
    },
    /** The agent is idle again after a turn. */
    finished(): void {
      if (resulted) notify({ kind: "finished", summary: answer ?? "" });
      answer = null;
      resulted = false;
    },
  };
}

export type SessionNotices = ReturnType<typeof createSessionNotices>;
