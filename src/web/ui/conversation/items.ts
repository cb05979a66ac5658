import { AcpData } from "../../../protocol/acp.ts";
import type { ContentBlock, ImageAttachment } from "../../../protocol/plaintext.ts";
import type { ChatMessage } from "../../sync/views.ts";
import { turnCost } from "./cost.ts";

/** `denied`: the phone (or a rule) refused the tool, so its error result is a refusal, not a failure. */
export type ToolResult = { text: string; isError: boolean; denied?: boolean };

/** What the conversation shows, one entry per visible thing (a message may hold several). */
export type Item =
  | { kind: "user"; key: string; text: string; from: string; images?: ImageAttachment[] }
  | { kind: "assistant"; key: string; text: string }
  | { kind: "thinking"; key: string; text: string }
  | { kind: "tool"; key: string; id: string; name: string; input: unknown }
  | { kind: "turn-end"; key: string; cost?: number; durationMs?: number; isError: boolean; text?: string }
  | { kind: "summary"; key: string; text: string }
  | { kind: "event"; key: string; text: string }
  | { kind: "unreadable"; key: string };

/**
 * The agent's messages as the conversation shows them — Claude Code's own records, or
 * an ACP agent's (`acpItem`): assistant text, thinking, tool
 * calls (their results come later in `user` messages and are looked up by id), the end
 * of a turn with its cost, and session events. System/init and meta lines are hidden.
 */
export function toItems(messages: readonly ChatMessage[]): { items: Item[]; results: Map<string, ToolResult> } {
  const items: Item[] = [];
  const results = new Map<string, ToolResult>();
  // Claude Code's result costs are running totals: a turn's cost is its step from the last.
  let lastTotal: number | null = null;
  for (const message of messages) {
    const key = (i: number) => `${message.seq}:${i}`;
    const plain = message.plain;
    if (!plain) {
      items.push({ kind: "unreadable", key: key(0) });
      continue;
    }
    if (plain.role === "user") {
      items.push({ kind: "user", key: key(0), text: plain.content.text, from: String(plain.meta?.sentFrom ?? ""), images: plain.content.images });
      continue;
    }
    const content = plain.content;
    if (content.type === "event") {
      const text = eventText(content.data);
      if (text) items.push({ kind: "event", key: key(0), text });
      continue;
    }
    if (content.type === "acp") {
      const item = acpItem(content.data, key(0), results);
      if (item) items.push(item);
      continue;
    }
    const data = content.data;
    switch (data.type) {
      case "assistant":
        data.message.content.forEach((block, i) => {
          const item = assistantBlock(block as ContentBlock, key(i));
          if (item) items.push(item);
        });
        break;
      case "user": {
        if (data.isMeta) break;
        if (typeof data.message.content === "string") {
          items.push({ kind: "user", key: key(0), text: data.message.content, from: "terminal" });
          break;
        }
        data.message.content.forEach((block, i) => {
          const b = block as ContentBlock;
          if (b.type === "tool_result") results.set(b.tool_use_id, { text: resultText(b.content), isError: b.is_error === true, ...(wasDenied(b) ? { denied: true } : {}) });
          else if (b.type === "text") items.push({ kind: "user", key: key(i), text: b.text, from: "terminal" });
        });
        break;
      }
      case "result":
        items.push({
          kind: "turn-end",
          key: key(0),
          cost: data.total_cost_usd === undefined ? undefined : turnCost(data.total_cost_usd, lastTotal),
          durationMs: data.duration_ms,
          isError: data.is_error === true,
          text: data.is_error ? data.result : undefined,
        });
        if (data.total_cost_usd !== undefined) lastTotal = data.total_cost_usd;
        break;
      case "summary":
        items.push({ kind: "summary", key: key(0), text: data.summary });
        break;
    }
  }
  return { items, results };
}

function assistantBlock(block: ContentBlock, key: string): Item | null {
  switch (block.type) {
    case "text":
      return block.text.trim() ? { kind: "assistant", key, text: block.text } : null;
    case "thinking":
      return block.thinking.trim() ? { kind: "thinking", key, text: block.thinking } : null;
    case "tool_use":
      return { kind: "tool", key, id: block.id, name: block.name, input: block.input };
    default:
      return null;
  }
}

function eventText(data: { type: string } & Record<string, unknown>): string | null {
  switch (data.type) {
    case "message":
      return String(data.message);
    case "switch":
      return data.mode === "local" ? "Control moved to the terminal" : "Control moved to the phone";
    case "limit-reached":
      return `Usage limit reached until ${new Date(Number(data.endsAt) * (Number(data.endsAt) < 1e12 ? 1000 : 1)).toLocaleString()}`;
    case "ready":
      return null;
    default:
      return null;
  }
}

/** The session adds the permission decision to a tool result (`permissions.result`). */
function wasDenied(block: unknown): boolean {
  const permissions = (block as { permissions?: { result?: unknown } }).permissions;
  return permissions?.result === "denied";
}

function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (part && typeof part === "object" && "text" in part ? String(part.text) : "")).join("\n");
}

/**
 * An ACP agent's message (Gemini CLI, Codex, opencode) as conversation items: replies,
 * thoughts and tool calls like Claude's; a tool result is kept by its call id, as the
 * tool call shows it. Turn start and end markers show nothing.
 */
export function acpItem(raw: unknown, key: string, results: Map<string, ToolResult>): Item | null {
  const parsed = AcpData.safeParse(raw);
  if (!parsed.success) return null;
  const data = parsed.data;
  switch (data.type) {
    case "message":
      return data.message.trim() ? { kind: "assistant", key, text: data.message } : null;
    case "thinking":
      return data.text.trim() ? { kind: "thinking", key, text: data.text } : null;
    case "tool-call":
      return { kind: "tool", key, id: data.callId, name: data.name, input: data.input };
    case "tool-result":
      results.set(data.callId, { text: typeof data.output === "string" ? data.output : JSON.stringify(data.output, null, 2), isError: data.isError === true });
      return null;
    default:
      return null;
  }
}
