import type { ChatMessage } from "../../sync/views.ts";
import { toItems } from "../conversation/items.ts";

/** One line about a session: its latest message, as the conversation would show it. */
export type Preview = { text: string; kind: "user" | "agent" | "event" };

/** Past this a preview is cut: a row has one line for it. */
const MAX_CHARS = 160;

/** Markdown marks that mean nothing in one plain line: emphasis, code ticks, headings, list bullets. */
const plain = (text: string) => text.replace(/(\*\*|__|`+)/g, "").replace(/^\s*(#{1,6}|[-*>]|\d+\.)\s+/gm, "");

const oneLine = (text: string) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > MAX_CHARS ? `${line.slice(0, MAX_CHARS - 1)}…` : line;
};

/** The last thing worth a line in these messages (oldest first): text, an event, a failed turn. */
export function latestPreview(messages: readonly ChatMessage[]): Preview | null {
  const { items } = toItems(messages);
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.kind === "user" && item.text.trim()) return { text: oneLine(item.text), kind: "user" };
    if (item.kind === "assistant" && item.text.trim()) return { text: oneLine(plain(item.text)), kind: "agent" };
    if (item.kind === "event" || item.kind === "summary") return { text: oneLine(item.text), kind: "event" };
    if (item.kind === "turn-end" && item.isError) return { text: oneLine(`Turn failed${item.text ? `: ${item.text}` : ""}`), kind: "event" };
    if (item.kind === "tool") return { text: oneLine(`Used ${item.name}`), kind: "agent" };
  }
  return null;
}

/** The first thing the user asked: a name for a session that has no other. */
export function firstRequest(messages: readonly ChatMessage[]): string | null {
  const first = toItems(messages).items.find((item) => item.kind === "user" && item.text.trim());
  return first?.kind === "user" ? oneLine(first.text) : null;
}
