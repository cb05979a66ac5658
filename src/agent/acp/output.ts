import type { PlanEntry, SessionUpdate, ToolCallUpdate } from "@agentclientprotocol/sdk";
import type { AcpContent, AcpData, AcpProvider } from "../../protocol/acp.ts";
import { appOutput, appTool, mergeCall, type TrackedCall } from "./tool-calls.ts";

/** A reply longer than this goes to the phone in parts rather than as one huge message. */
const MAX_TEXT_CHARS = 100_000;
/** Tool calls of one turn we keep track of; an agent that never finishes them must not grow us. */
const MAX_CALLS = 500;
/** A reply still streaming after this long goes out up to its last finished paragraph. */
const PARAGRAPH_FLUSH_MS = 2_000;

/** Where a streaming reply can be cut: after its last paragraph, outside a code block. */
function paragraphCut(text: string): number {
  const at = text.lastIndexOf("\n\n");
  if (at <= 0) return -1;
  const fences = text.slice(0, at).split("```").length - 1;
  return fences % 2 === 0 ? at + 2 : -1;
}

type Call = TrackedCall & { shown: boolean };

/**
 * One agent's `session/update` stream as the app's `acp` messages: text chunks joined
 * into one `message` (sent when something else comes or the turn ends, or by
 * paragraphs while a long reply still streams), thoughts likewise, each tool call once when it starts and its result once when it ends, a
 * plan as a todo list. An update for a tool call we never saw starts it (Gemini CLI
 * sends `tool_call_update` without a `tool_call`).
 */
export function createAcpOutput(provider: AcpProvider, send: (content: AcpContent) => void, paragraphFlushMs = PARAGRAPH_FLUSH_MS) {
  let text = "";
  let textSince = 0;
  let thought = "";
  const calls = new Map<string, Call>();
  const emit = (data: AcpData) => send({ type: "acp", provider, data });

  const flushText = () => {
    if (text.trim()) emit({ type: "message", message: text });
    text = "";
  };
  const flushParagraphs = () => {
    const cut = paragraphCut(text);
    if (cut < 0) return;
    const done = text.slice(0, cut).trimEnd();
    if (done) emit({ type: "message", message: done });
    text = text.slice(cut);
    textSince = Date.now();
  };
  const flushThought = () => {
    if (thought.trim()) emit({ type: "thinking", text: thought });
    thought = "";
  };
  const flush = () => {
    flushThought();
    flushText();
  };

  const show = (call: Call) => {
    if (call.shown) return;
    call.shown = true;
    const { name, input } = appTool(call);
    emit({ type: "tool-call", callId: call.toolCallId, name, input, id: crypto.randomUUID() });
  };
  const finish = (call: Call, isError: boolean, output?: string) => {
    show(call);
    emit({ type: "tool-result", callId: call.toolCallId, output: output ?? appOutput(call), id: crypto.randomUUID(), isError });
    calls.delete(call.toolCallId);
  };

  const track = (update: ToolCallUpdate & { status?: string | null }): Call => {
    const known = calls.get(update.toolCallId);
    if (!known && calls.size >= MAX_CALLS) calls.delete(calls.keys().next().value!);
    const call: Call = { ...mergeCall(known, update), shown: known?.shown ?? false };
    calls.set(call.toolCallId, call);
    return call;
  };

  const toolUpdate = (update: ToolCallUpdate) => {
    flush();
    const call = track(update);
    // A pending call may not know its input yet (opencode fills it in with the next update).
    if (update.status === "in_progress") show(call);
    if (update.status === "completed") finish(call, false);
    if (update.status === "failed") finish(call, true);
  };

  const plan = (entries: PlanEntry[]) => {
    flush();
    const callId = `plan-${crypto.randomUUID()}`;
    const todos = entries.map((entry, i) => ({ id: String(i + 1), content: entry.content, status: entry.status, priority: entry.priority }));
    emit({ type: "tool-call", callId, name: "TodoWrite", input: { todos }, id: crypto.randomUUID() });
    emit({ type: "tool-result", callId, output: `${entries.length} items`, id: crypto.randomUUID(), isError: false });
  };

  return {
    update(update: SessionUpdate) {
      switch (update.sessionUpdate) {
        case "agent_message_chunk":
          flushThought();
          if (update.content.type !== "text") return;
          if (!text) textSince = Date.now();
          text += update.content.text;
          if (text.length > MAX_TEXT_CHARS) return flushText();
          // A long reply shows as it grows, a paragraph at a time, not only once it is done.
          if (Date.now() - textSince >= paragraphFlushMs) flushParagraphs();
          return;
        case "agent_thought_chunk":
          flushText();
          if (update.content.type === "text") thought += update.content.text;
          if (thought.length > MAX_TEXT_CHARS) flushThought();
          return;
        case "tool_call":
        case "tool_call_update":
          return toolUpdate(update);
        case "plan":
          return plan(update.entries);
        default:
          // Our own prompt echoed, commands, modes, usage: not messages for the phone.
          return;
      }
    },
    /** The agent asks before running a tool: the phone must see the call its question is about. */
    asked(toolCall: ToolCallUpdate): { name: string; input: Record<string, unknown> } {
      flush();
      const call = track(toolCall);
      show(call);
      return appTool(call);
    },
    startTurn() {
      emit({ type: "task_started", id: crypto.randomUUID() });
    },
    /** The turn is over: what is still buffered goes out, calls left running are closed. */
    endTurn(aborted: boolean) {
      flush();
      for (const call of [...calls.values()]) {
        if (call.shown) finish(call, true, aborted ? "Stopped: the turn was aborted." : "The turn ended before this tool finished.");
      }
      calls.clear();
      emit(aborted ? { type: "turn_aborted", id: crypto.randomUUID() } : { type: "task_complete", id: crypto.randomUUID() });
    },
    flush,
  };
}

export type AcpOutput = ReturnType<typeof createAcpOutput>;
