import type { ToolCall, ToolCallContent, ToolCallUpdate } from "@agentclientprotocol/sdk";

type Input = Record<string, unknown>;
const isRecord = (value: unknown): value is Input => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

/** What we know of one ACP tool call: the first report and every update merged. */
export type TrackedCall = {
  toolCallId: string;
  title?: string | null;
  name?: string | null;
  kind?: string | null;
  rawInput?: unknown;
  rawOutput?: unknown;
  content?: ToolCallContent[] | null;
  locations?: Array<{ path: string }> | null;
};

export function mergeCall(known: TrackedCall | undefined, update: ToolCall | ToolCallUpdate): TrackedCall {
  const merged: TrackedCall = { ...known, toolCallId: update.toolCallId };
  for (const key of ["title", "name", "kind", "rawInput", "rawOutput", "content", "locations"] as const) {
    if (update[key] !== undefined && update[key] !== null) (merged as Record<string, unknown>)[key] = update[key];
  }
  return merged;
}

const firstDiff = (call: TrackedCall) => call.content?.find((c) => c.type === "diff");
const firstPath = (call: TrackedCall, raw: Input) =>
  firstDiff(call)?.path ?? call.locations?.[0]?.path ?? text(raw.file_path) ?? text(raw.filePath) ?? text(raw.path);

function commandOf(raw: Input, title: string): string {
  if (Array.isArray(raw.command)) return raw.command.map(String).join(" ");
  return text(raw.command) ?? text(raw.cmd) ?? title;
}

/**
 * An ACP tool call under the name and input shape the apps already draw well: the
 * command of an `execute` as `Bash { command }`, a file change as `Edit` / `Write`
 * with its diff, a read as `Read { file_path }`. The "accept edits" mode and
 * "allow for the session" then mean the same for every agent.
 */
export function appTool(call: TrackedCall): { name: string; input: Input } {
  const raw = isRecord(call.rawInput) ? call.rawInput : {};
  const title = call.title ?? "";
  switch (call.kind) {
    case "execute": {
      const command = commandOf(raw, title);
      const description = text(raw.description) ?? (title !== command ? title : undefined);
      return { name: "Bash", input: { command, ...(description ? { description } : {}) } };
    }
    case "edit": {
      const diff = firstDiff(call);
      const file_path = firstPath(call, raw) ?? title;
      if (!diff) return { name: "Edit", input: { file_path, description: title } };
      if (!diff.oldText) return { name: "Write", input: { file_path, content: diff.newText } };
      return { name: "Edit", input: { file_path, old_string: diff.oldText, new_string: diff.newText } };
    }
    case "read":
      return { name: "Read", input: { file_path: firstPath(call, raw) ?? title } };
    case "search":
      return { name: "Grep", input: { pattern: text(raw.pattern) ?? text(raw.query) ?? title, ...(text(raw.path) ? { path: raw.path } : {}) } };
    case "fetch":
      return { name: "WebFetch", input: { url: text(raw.url) ?? title } };
    default:
      return { name: text(call.name) ?? (call.kind && call.kind !== "other" ? call.kind : title || "tool"), input: { description: title, ...raw } };
  }
}

/** A finished tool call's output as text: what it printed, else its raw output. */
export function appOutput(call: TrackedCall): string {
  const parts: string[] = [];
  for (const item of call.content ?? []) {
    if (item.type === "content" && item.content.type === "text") parts.push(item.content.text);
    if (item.type === "diff") parts.push(`${item.oldText ? "edited" : "wrote"} ${item.path}`);
  }
  if (parts.length > 0) return parts.join("\n");
  const raw = call.rawOutput;
  if (typeof raw === "string") return raw;
  if (isRecord(raw)) return text(raw.output) ?? text(raw.stdout) ?? text(raw.formatted_output) ?? JSON.stringify(raw);
  return "";
}
