import type { AgentOutput, RemoteAgent, TokenUsage } from "./agent.ts";
import { within } from "../shared/within.ts";
import type { PermissionBroker } from "./permissions.ts";
import { rememberSlashCommands } from "./slash-commands.ts";
import { rememberConversation, setControlledByUser, type ModeOutcome, type SessionContext } from "./session-context.ts";

const SIGNAL_GRACE_MS = 300;
const FULL_QUEUE = "Too many messages are waiting for the agent; this one was not queued.";
/** The longest the phone waits for the agent to start before the session says it is ready anyway. */
const READY_WAIT_MS = 10_000;

/**
 * The phone drives the agent: its messages become turns (queued in order while the
 * agent works), the agent's output goes back as session messages, its tool uses wait
 * for the phone's answer. Ends when the session ends, the agent dies, or the terminal
 * takes control back.
 */
export async function runRemoteMode(ctx: SessionContext): Promise<ModeOutcome> {
  const located = ctx.adapter.locate();
  if (!located.ok) return runWithoutAgent(ctx, located.message);
  ctx.presence.setMode("remote");
  void setControlledByUser(ctx, false);
  let stopping = false;
  let lastCost = 0;

  const agent: RemoteAgent = ctx.adapter.startRemote({
    executable: located.executable,
    cwd: ctx.directory,
    conversationId: ctx.state.conversationId,
    permissionMode: ctx.state.permissionMode,
    args: ctx.agentArgs,
    onOutput: (output) => {
      ctx.notices.output(output);
      ctx.messages.output(withDecisions(output, ctx.broker));
    },
    onAcp: (content) => ctx.messages.acp(content),
    onConversationId: (id) => rememberConversation(ctx, id),
    onSlashCommands: (names) => rememberSlashCommands(ctx, names),
    onUsage: (usage, cost) => {
      if (cost !== null) lastCost = cost;
      ctx.link.usage(usageReport(usage, lastCost));
    },
    onBusy: (busy) => {
      ctx.presence.setThinking(busy);
      if (busy || stopping || agent.queued() > 0) return;
      ctx.messages.event({ type: "ready" });
      ctx.notices.finished();
    },
    askTool: (ask) => ctx.broker.ask(ask),
    onModels: (models) => void ctx.link.metadata.update((metadata) => ({ ...metadata, models: models.slice(0, 100) })),
    onNotice: (text) => ctx.messages.event({ type: "message", message: text }),
  });
  ctx.state.launches++;
  // Bounded: an agent slow to start (the user's own start-up hooks) must not keep the phone out.
  void within(agent.ready, READY_WAIT_MS).then(() => ctx.announceReady());

  const release = ctx.inbox.listen((turn) => {
    if (turn.notice) ctx.messages.event({ type: "message", message: turn.notice });
    const permissionMode = ctx.broker.acceptMode(turn.permissionMode);
    if (permissionMode) ctx.state.permissionMode = permissionMode;
    if (!agent.send({ ...turn, permissionMode })) ctx.messages.event({ type: "message", message: FULL_QUEUE });
    return "taken";
  });
  let takeBack: (() => void) | null = null;
  const tookBack = new Promise<ModeOutcome>((resolve) => {
    takeBack = () => resolve({ kind: "switch", to: "local" });
  });
  ctx.handlers.abort = async () => {
    await agent.interrupt();
    // Whatever the agent still asks about belongs to the stopped turn.
    ctx.broker.cancelAll("The turn was aborted.");
    ctx.messages.event({ type: "message", message: "Aborted by user" });
  };
  ctx.handlers.modeChanged = (mode) => {
    ctx.state.permissionMode = mode;
    void agent.setPermissionMode(mode);
  };
  // Only an agent with a terminal UI of its own can be taken back to the terminal.
  const local = ctx.adapter.startLocal ? ctx.terminal : null;
  ctx.handlers.switchTo = (to) => {
    if (to === "remote") return true;
    if (!local) return false;
    takeBack?.();
    return true;
  };
  const key = local?.waitForKey();
  if (local) local.say("remcli: the phone is in control. Press any key to take it back here (Ctrl-C ends the session).");
  else ctx.terminal?.say(`remcli: ${ctx.adapter.displayName} runs for the phone (Ctrl-C ends the session).`);

  const outcome = await Promise.race<ModeOutcome>([
    agent.ended.then(async (end): Promise<ModeOutcome> => {
      if (end.kind !== "crashed") return { kind: "end", end: { reason: `${ctx.adapter.displayName} exited`, code: 0 } };
      // A signal to the whole process group (Ctrl-C, a stop) ends the agent too, maybe a moment
      // before our own handler runs: that is the session ending, not the agent crashing.
      if (await within(ctx.ending, SIGNAL_GRACE_MS)) return { kind: "end", end: await ctx.ending };
      return crashed(ctx, end.message);
    }),
    ctx.ending.then((end) => ({ kind: "end", end })),
    tookBack,
    ...(key ? [key.pressed.then((pressed): ModeOutcome => (pressed === "interrupt" ? { kind: "end", end: { reason: "ended with Ctrl-C in the terminal", code: 0 } } : { kind: "switch", to: "local" }))] : []),
  ]);
  stopping = true;
  key?.cancel();
  release();
  // Turns the agent had not started wait for the next mode.
  ctx.inbox.unshift(agent.takeQueued());
  ctx.broker.cancelAll(outcome.kind === "switch" ? "The terminal took control back." : "The session ended.");
  await agent.close();
  return outcome;
}

function crashed(ctx: SessionContext, message: string): ModeOutcome {
  const name = ctx.adapter.displayName;
  ctx.messages.event({ type: "message", message: `${name} stopped unexpectedly: ${message}` });
  ctx.say(`remcli: ${name} stopped unexpectedly: ${message}`);
  return { kind: "end", end: { reason: `agent crashed: ${message.split("\n")[0]}`, code: 1 } };
}

/**
 * No agent to run (not installed): the session stays up and says so to every phone
 * message, and starts the agent as soon as it is there.
 */
async function runWithoutAgent(ctx: SessionContext, message: string): Promise<ModeOutcome> {
  ctx.announceReady();
  ctx.say(`remcli: ${message}`);
  ctx.messages.event({ type: "message", message });
  ctx.presence.setMode("remote");
  let installed: (() => void) | null = null;
  const retry = new Promise<ModeOutcome>((resolve) => {
    installed = () => resolve({ kind: "switch", to: "remote" });
  });
  const release = ctx.inbox.listen(() => {
    if (ctx.adapter.locate().ok) {
      installed?.();
      return "declined";
    }
    ctx.messages.event({ type: "message", message });
    return "taken";
  });
  const outcome = await Promise.race<ModeOutcome>([ctx.ending.then((end) => ({ kind: "end", end })), retry]);
  release();
  return outcome;
}

/** Adds the phone's permission decision to each tool result it applies to, as the app shows it. */
function withDecisions(output: AgentOutput, broker: PermissionBroker): AgentOutput {
  if (output.type !== "user") return output;
  const message = output.message as { content?: unknown } | undefined;
  if (!Array.isArray(message?.content)) return output;
  const content = message.content.map((block: unknown) => {
    const toolUseId = (block as { type?: string; tool_use_id?: unknown }).tool_use_id;
    if ((block as { type?: string }).type !== "tool_result" || typeof toolUseId !== "string") return block;
    const permissions = broker.takeDecision(toolUseId);
    return permissions ? { ...(block as object), permissions } : block;
  });
  return { ...output, message: { ...message, content } };
}

function usageReport(usage: TokenUsage, costUsd: number) {
  return {
    key: "claude-session",
    tokens: {
      total: usage.input + usage.output + usage.cacheCreation + usage.cacheRead,
      input: usage.input,
      output: usage.output,
      cache_creation: usage.cacheCreation,
      cache_read: usage.cacheRead,
    },
    cost: { total: costUsd, input: 0, output: 0 },
  };
}
