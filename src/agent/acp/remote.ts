import { methods, PROTOCOL_VERSION, type ContentBlock, type RequestPermissionRequest, type RequestPermissionResponse, type SessionNotification } from "@agentclientprotocol/sdk";
import { z } from "zod";
import type { Config } from "../../shared/env.ts";
import { VERSION } from "../../shared/version.ts";
import { within } from "../../shared/within.ts";
import type { AgentEnd, RemoteAgent, RemoteOptions, ToolVerdict, UserTurn } from "../agent.ts";
import type { PermissionMode } from "../agent-state.ts";
import { createTurnQueue } from "../turn-queue.ts";
import { acpErrorMessage, spawnAcpAgent } from "./connection.ts";
import type { LaunchSpec } from "./launch.ts";
import { createAcpOutput } from "./output.ts";
import { commandNames } from "../slash-commands.ts";
import { createSessionConfig, type ConfigRequest, type SessionConfig } from "./session-config.ts";

/** session/load replays the conversation as updates, some after its answer: wait for quiet. */
const REPLAY_QUIET_MS = 250;
const REPLAY_MAX_MS = 5_000;
const INTERRUPT_WAIT_MS = 5_000;
const CANCELLED: RequestPermissionResponse = { outcome: { outcome: "cancelled" } };

/** Token counts as agents report them on a prompt's answer: `usage` (Codex, opencode) or Gemini's `_meta.quota`. */
const PromptUsage = z.object({
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), cachedReadTokens: z.number().nullish(), cachedWriteTokens: z.number().nullish() }).nullish(),
  _meta: z.object({ quota: z.object({ token_count: z.object({ input_tokens: z.number(), output_tokens: z.number() }) }) }).nullish(),
});

/**
 * An ACP agent driven from the phone: one agent process per remote stint, one ACP
 * session in it (loaded when the conversation exists, else new), one `session/prompt`
 * per user turn, in order. Its questions go to the phone; `interrupt` is
 * `session/cancel`, and whatever it still asks is answered "cancelled".
 */
export function startAcpRemote(spec: LaunchSpec, executables: string[], options: RemoteOptions, config: Config): RemoteAgent {
  try {
    return driveAcpAgent(spec, executables, options, config);
  } catch (error) {
    // The executable went away since it was located: a crash to report, not a thrown session.
    return notStarted(acpErrorMessage(error));
  }
}

function driveAcpAgent(spec: LaunchSpec, executables: string[], options: RemoteOptions, config: Config): RemoteAgent {
  const turns = createTurnQueue();
  const output = createAcpOutput(spec.provider, options.onAcp);
  /** Permission questions waiting for the phone, to be answered "cancelled" on interrupt. */
  const open = new Map<string, (response: RequestPermissionResponse) => void>();
  let sessionId: string | null = null;
  let settings: SessionConfig | null = null;
  let mode: PermissionMode = options.permissionMode;
  let replaying = false;
  let lastUpdateAt = 0;
  let closing = false;
  let cancelling = false;
  let currentTurn: Promise<void> | null = null;

  const onUpdate = (notification: SessionNotification) => {
    if (notification.sessionId !== sessionId) return;
    lastUpdateAt = Date.now();
    settings?.observe(notification.update);
    // Sent after session/new or /load, outside any turn: not a message, a fact about the agent.
    if (notification.update.sessionUpdate === "available_commands_update") {
      options.onSlashCommands?.(commandNames(notification.update.availableCommands.map((command) => command.name)));
    }
    if (!replaying && currentTurn) output.update(notification.update);
  };

  const onPermission = async (request: RequestPermissionRequest, signal: AbortSignal): Promise<RequestPermissionResponse> => {
    if (request.sessionId !== sessionId || cancelling) return CANCELLED;
    const id = request.toolCall.toolCallId;
    const { name, input } = output.asked(request.toolCall);
    const asking = new AbortController();
    signal.addEventListener("abort", () => asking.abort(), { once: true });
    const cancelled = new Promise<RequestPermissionResponse>((resolve) => open.set(id, resolve));
    const verdict = options.askTool({ toolUseId: id, tool: name, input, signal: asking.signal }).then((v) => answerFor(request, v));
    const answer = await Promise.race([cancelled, verdict]);
    open.delete(id);
    // Settles the phone's question too when the agent or an interrupt ended it first.
    asking.abort();
    return answer;
  };

  const agent = spawnAcpAgent({
    argv: spec.argv(executables, options.args),
    cwd: options.cwd,
    env: { ...config.childEnv, ...spec.env(executables) },
    handlers: { update: onUpdate, permission: onPermission },
  });

  const send = async (request: ConfigRequest) => {
    const answer = await agent.agent.request(request.method, request.params).catch(() => undefined);
    if (answer !== undefined) settings?.applied(request, answer);
  };
  const applyMode = async (next: PermissionMode) => {
    mode = next;
    const request = settings?.modeRequest(next);
    if (request) await send(request);
  };

  let acceptsImages = false;
  /** The turn as ACP content blocks; images only to an agent that said it takes them. */
  const promptOf = (turn: UserTurn): ContentBlock[] => {
    const images = acceptsImages ? (turn.images ?? []) : [];
    if (!acceptsImages && turn.images?.length) {
      const count = turn.images.length;
      options.onAcp({ type: "acp", provider: spec.provider, data: { type: "message", message: `This agent does not take images; ${count === 1 ? "the image was" : `${count} images were`} not passed on, only the text.` } });
    }
    return [
      ...images.map((image) => ({ type: "image" as const, mimeType: image.source.media_type, data: image.source.data })),
      ...(turn.text || images.length === 0 ? [{ type: "text" as const, text: turn.text }] : []),
    ];
  };

  const openSession = async () => {
    const init = await agent.agent.request(methods.agent.initialize, {
      protocolVersion: PROTOCOL_VERSION,
      clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
      clientInfo: { name: "remcli", version: VERSION },
    });
    acceptsImages = init.agentCapabilities?.promptCapabilities?.image === true;
    const cwd = options.cwd;
    if (options.conversationId && init.agentCapabilities?.loadSession) {
      replaying = true;
      sessionId = options.conversationId;
      try {
        const loaded = await agent.agent.request(methods.agent.session.load, { sessionId, cwd, mcpServers: [] });
        settings = createSessionConfig(sessionId, spec.modes, loaded ?? {});
        await replayDone();
        replaying = false;
        return;
      } catch {
        // Gone (or never written): a new conversation rather than none.
        replaying = false;
        sessionId = null;
      }
    }
    const created = await agent.agent.request(methods.agent.session.new, { cwd, mcpServers: [] });
    sessionId = created.sessionId;
    settings = createSessionConfig(sessionId, spec.modes, created);
    options.onConversationId(sessionId);
  };

  const replayDone = async () => {
    const deadline = Date.now() + REPLAY_MAX_MS;
    lastUpdateAt = Date.now();
    while (Date.now() < deadline && Date.now() - lastUpdateAt < REPLAY_QUIET_MS) await Bun.sleep(50);
  };

  const runTurn = async (turn: UserTurn) => {
    if (turn.permissionMode && turn.permissionMode !== mode) await applyMode(turn.permissionMode);
    const modelRequest = turn.model ? settings?.modelRequest(turn.model) : null;
    if (modelRequest) await send(modelRequest);
    cancelling = false;
    options.onBusy(true);
    output.startTurn();
    let aborted = false;
    try {
      const answer = await agent.agent.request(methods.agent.session.prompt, { sessionId: sessionId!, prompt: promptOf(turn) });
      aborted = answer.stopReason === "cancelled";
      reportUsage(answer);
    } catch (error) {
      aborted = cancelling;
      if (!cancelling && !closing) options.onAcp({ type: "acp", provider: spec.provider, data: { type: "message", message: `Error: ${acpErrorMessage(error)}` } });
    }
    output.endTurn(aborted);
    turns.idle();
    options.onBusy(false);
  };

  const reportUsage = (answer: unknown) => {
    const parsed = PromptUsage.safeParse(answer);
    if (!parsed.success) return;
    const usage = parsed.data.usage;
    const quota = parsed.data._meta?.quota.token_count;
    if (usage) options.onUsage({ input: usage.inputTokens, output: usage.outputTokens, cacheCreation: usage.cachedWriteTokens ?? 0, cacheRead: usage.cachedReadTokens ?? 0 }, null);
    else if (quota) options.onUsage({ input: quota.input_tokens, output: quota.output_tokens, cacheCreation: 0, cacheRead: 0 }, null);
  };

  let opened: () => void = () => {};
  const ready = new Promise<void>((resolve) => (opened = resolve));
  const run = async () => {
    try {
      await openSession();
    } catch (error) {
      throw new Error(`could not start a session: ${acpErrorMessage(error)}`);
    }
    if (mode !== "default") await applyMode(mode);
    opened();
    for (;;) {
      const turn = await turns.next();
      if (!turn) return;
      currentTurn = runTurn(turn);
      await currentTurn;
      currentTurn = null;
    }
  };

  const ended: Promise<AgentEnd> = (async () => {
    const stopped = agent.exited.then((code) => ({ kind: "exit" as const, code }));
    const outcome = await Promise.race([run().then(() => ({ kind: "done" as const }), (error: unknown) => ({ kind: "failed" as const, error })), stopped]);
    opened();
    turns.close();
    options.onBusy(false);
    if (closing) return { kind: "closed" as const };
    const tail = agent.stderrTail().trim().split("\n").slice(-5).join("\n");
    const why = outcome.kind === "failed" ? acpErrorMessage(outcome.error) : outcome.kind === "exit" ? `exited with code ${outcome.code}` : "stopped";
    await agent.stop();
    return { kind: "crashed" as const, message: tail ? `${why}\n${tail}` : why };
  })();

  return {
    send: (turn) => turns.push(turn),
    async interrupt() {
      if (!currentTurn || !sessionId) return;
      cancelling = true;
      await agent.agent.notify(methods.agent.session.cancel, { sessionId }).catch(() => {});
      for (const resolve of open.values()) resolve(CANCELLED);
      await within(currentTurn, INTERRUPT_WAIT_MS);
    },
    setPermissionMode: applyMode,
    queued: () => turns.size(),
    takeQueued: () => turns.drain(),
    async close() {
      closing = true;
      turns.close();
      if (currentTurn && sessionId) await agent.agent.notify(methods.agent.session.cancel, { sessionId }).catch(() => {});
      for (const resolve of open.values()) resolve(CANCELLED);
      await agent.stop();
      await ended;
    },
    ended,
    ready,
  };
}

function notStarted(message: string): RemoteAgent {
  const ended = Promise.resolve<AgentEnd>({ kind: "crashed", message: `could not start: ${message}` });
  return {
    send: () => false,
    interrupt: async () => {},
    setPermissionMode: async () => {},
    queued: () => 0,
    takeQueued: () => [],
    close: async () => {},
    ended,
    ready: Promise.resolve(),
  };
}

/** The agent's option for the phone's answer, picked by its kind (option ids differ per agent). */
function answerFor(request: RequestPermissionRequest, verdict: ToolVerdict): RequestPermissionResponse {
  const byKind = (...kinds: string[]) => {
    for (const kind of kinds) {
      const option = request.options.find((o) => o.kind === kind);
      if (option) return { outcome: { outcome: "selected" as const, optionId: option.optionId } };
    }
    return CANCELLED;
  };
  // Something allowed for the rest of the session: the agent's "always" option, so it asks no more.
  if (verdict.behavior === "allow") return (verdict.sessionRules?.length ?? 0) > 0 ? byKind("allow_always", "allow_once") : byKind("allow_once", "allow_always");
  // "Abort" from the phone stops the whole turn: the agent is told the question was cancelled.
  if (verdict.interrupt) return CANCELLED;
  return byKind("reject_once", "reject_always");
}
