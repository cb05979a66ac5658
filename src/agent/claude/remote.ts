import { query, type PermissionUpdate, type Query, type SDKMessage, type SDKUserMessage } from "@anthropic-ai/claude-agent-sdk/core";
import { errorMessage } from "../../shared/errors.ts";
import type { AgentEnd, RemoteAgent, RemoteOptions, UserTurn } from "../agent.ts";
import type { PermissionMode } from "../agent-state.ts";
import { createTurnQueue } from "../turn-queue.ts";
import { within } from "../../shared/within.ts";
import { createOutputChain } from "./output-chain.ts";
import { slashCommandsOf } from "../slash-commands.ts";

const STDERR_TAIL = 2_000;
/** The picker's "let Claude Code choose" entry. */
const DEFAULT_MODEL = "default";
const CLOSE_GRACE_MS = 3_000;

/**
 * Claude Code driven through the official SDK in streaming-input mode: one `claude`
 * process per remote stint, fed one user turn at a time (the next only after the
 * previous turn's `result`), every tool use asked through `askTool`.
 */
export function startClaudeRemote(options: RemoteOptions, local: { conversationExists: boolean; mayBypass: boolean }): RemoteAgent {
  const turns = createTurnQueue();
  const chain = createOutputChain();
  let mode: PermissionMode = options.permissionMode;
  let model: string | undefined;
  let conversationId = options.conversationId;
  let closing = false;
  let stderrTail = "";

  const setBusy = (busy: boolean) => {
    if (!busy) turns.idle();
    options.onBusy(busy);
  };

  async function* input(): AsyncGenerator<SDKUserMessage> {
    for (;;) {
      const turn = await turns.next();
      if (!turn) return;
      // Mode and model travel with each phone message; apply them before its turn starts.
      if (turn.permissionMode && turn.permissionMode !== mode) await applyMode(turn.permissionMode);
      if (turn.model && turn.model !== model) await applyModel(turn.model);
      setBusy(true);
      yield { type: "user", message: { role: "user", content: contentOf(turn) }, parent_tool_use_id: null, session_id: conversationId };
    }
  }

  /** The phone's model for this and later turns; "default" is Claude Code's own choice again. */
  const applyModel = async (next: string) => {
    try {
      await q.setModel(next === DEFAULT_MODEL ? undefined : next);
      model = next;
    } catch (error) {
      options.onNotice?.(`Claude Code did not switch to the model ${next}: ${errorMessage(error)}`);
    }
  };

  const applyMode = async (next: PermissionMode) => {
    mode = next;
    await q.setPermissionMode(next).catch(() => {});
  };

  const q: Query = query({
    prompt: input(),
    options: {
      pathToClaudeCodeExecutable: options.executable,
      cwd: options.cwd,
      // A conversation with no transcript yet (nothing was said) cannot be resumed: start it under its id.
      ...(local.conversationExists ? { resume: conversationId } : { sessionId: conversationId }),
      permissionMode: mode,
      // Only lets the phone pick bypass later; it does not bypass anything by itself. Claude Code
      // refuses the flag as root outside a sandbox and would exit at once: then bypass is not offered.
      allowDangerouslySkipPermissions: local.mayBypass,
      // The full Claude Code prompt and the user's settings and CLAUDE.md, as in the terminal.
      systemPrompt: { type: "preset", preset: "claude_code" },
      model: modelFlag(options.args),
      stderr: (data) => {
        stderrTail = (stderrTail + data).slice(-STDERR_TAIL);
      },
      canUseTool: async (tool, toolInput, context) => {
        const verdict = await options.askTool({
          toolUseId: context.toolUseID ?? crypto.randomUUID(),
          tool,
          input: toolInput,
          signal: context.signal,
        });
        if (verdict.behavior !== "allow") return { behavior: "deny", message: verdict.message, interrupt: verdict.interrupt };
        // Rules allowed for the session go to Claude Code too, which then matches them itself.
        const rules = verdict.sessionRules ?? [];
        if (rules.length === 0) return { behavior: "allow", updatedInput: toolInput };
        const update: PermissionUpdate = { type: "addRules", rules, behavior: "allow", destination: "session" };
        return { behavior: "allow", updatedInput: toolInput, updatedPermissions: [update] };
      },
    },
  });

  // The models this Claude Code accepts, for the phone's picker (they arrive with its initialize answer).
  void q
    .supportedModels()
    .then((models) => options.onModels?.(models.map(({ value, displayName, description }) => ({ value, displayName, description }))))
    .catch(() => {});

  const handle = (message: SDKMessage) => {
    if ("session_id" in message && typeof message.session_id === "string" && message.session_id !== conversationId) {
      conversationId = message.session_id;
      options.onConversationId(conversationId);
    }
    if (message.type === "assistant") {
      const usage = message.message.usage;
      if (usage) options.onUsage(tokensOf(usage), null);
    }
    if (message.type === "result") options.onUsage(tokensOf(message.usage), message.total_cost_usd ?? null);
    const commands = slashCommandsOf(message);
    if (commands) options.onSlashCommands?.(commands);
    const output = chain.convert(message);
    if (output) options.onOutput(output);
    if (message.type === "result") setBusy(false);
  };

  const ended: Promise<AgentEnd> = (async () => {
    try {
      for await (const message of q) handle(message);
      if (closing) return { kind: "closed" as const };
      return { kind: "crashed" as const, message: withStderr("Claude Code exited unexpectedly", stderrTail) };
    } catch (error) {
      if (closing) return { kind: "closed" as const };
      return { kind: "crashed" as const, message: withStderr(errorMessage(error), stderrTail) };
    } finally {
      turns.close();
      options.onBusy(false);
    }
  })();

  return {
    send: (turn) => turns.push(turn),
    async interrupt() {
      await q.interrupt().catch(() => {});
    },
    setPermissionMode: applyMode,
    queued: () => turns.size(),
    takeQueued: () => turns.drain(),
    async close() {
      closing = true;
      turns.close();
      // Ending the input lets claude finish cleanly; a stuck one is killed.
      if (!(await within(ended, CLOSE_GRACE_MS))) q.close();
      await ended;
    },
    ended,
    // The SDK spawns claude and sends its initialize request at query(): the answer means
    // the CLI has loaded and waits for the first message. Then a read-only question (the
    // context usage from local estimates: no model call, nothing in the transcript) has it
    // assemble its system prompt, tools, skills and CLAUDE.md now, which its first turn
    // would otherwise do while the phone waits.
    ready: q
      .initializationResult()
      .then(() => q.getContextUsage({ detail: "summary" }))
      .then(
        () => {},
        () => {},
      ),
  };
}

/** The prompt as Claude Code takes it: plain text, or image blocks then the text. */
function contentOf(turn: UserTurn): SDKUserMessage["message"]["content"] {
  if (!turn.images?.length) return turn.text;
  return [...turn.images, ...(turn.text ? [{ type: "text" as const, text: turn.text }] : [])];
}

type ApiUsage = {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
};

function tokensOf(usage: ApiUsage | undefined) {
  return {
    input: usage?.input_tokens ?? 0,
    output: usage?.output_tokens ?? 0,
    cacheCreation: usage?.cache_creation_input_tokens ?? 0,
    cacheRead: usage?.cache_read_input_tokens ?? 0,
  };
}

function modelFlag(args: string[]): string | undefined {
  const at = args.findIndex((arg) => arg === "--model" || arg.startsWith("--model="));
  if (at < 0) return undefined;
  const arg = args[at]!;
  return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[at + 1];
}

function withStderr(message: string, stderr: string): string {
  const tail = stderr.trim().split("\n").slice(-5).join("\n");
  return tail ? `${message}\n${tail}` : message;
}
