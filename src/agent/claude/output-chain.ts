import type { AgentOutput } from "../agent.ts";

/** The SDK message types the app's `output` schema accepts; anything else it would drop. */
const FOR_THE_PHONE = new Set(["assistant", "user", "result", "system", "summary"]);
/** System messages worth a row in the phone's history (not hooks, status, progress …). */
const SYSTEM_SUBTYPES = new Set(["init", "compact_boundary"]);

/**
 * Turns SDK stream messages into transcript-like records the app renders: it drops
 * `assistant` / `user` records without a `uuid` and threads them by `parentUuid`, as
 * Claude Code's own transcript does; sidechains (subagents) thread separately.
 */
export function createOutputChain() {
  let last: string | null = null;
  const sidechains = new Map<string, string>();

  return {
    convert(message: { type: string } & Record<string, unknown>): AgentOutput | null {
      if (!FOR_THE_PHONE.has(message.type)) return null;
      if (message.type === "system" && !SYSTEM_SUBTYPES.has(String(message.subtype))) return null;
      // Echoes of our own prompts (string content) are already on the phone as its message.
      if (message.type === "user" && isPlainPrompt(message)) return null;
      const uuid = typeof message.uuid === "string" ? message.uuid : crypto.randomUUID();
      const parentTool = typeof message.parent_tool_use_id === "string" ? message.parent_tool_use_id : null;
      const parentUuid = parentTool ? (sidechains.get(parentTool) ?? null) : last;
      if (parentTool) sidechains.set(parentTool, uuid);
      else if (message.type !== "result") last = uuid;
      return { ...message, uuid, parentUuid, isSidechain: parentTool !== null };
    },
  };
}

function isPlainPrompt(message: Record<string, unknown>): boolean {
  const inner = message.message as { content?: unknown } | undefined;
  return typeof inner?.content === "string" && message.parent_tool_use_id == null;
}
