import type { StartedBy } from "../protocol/control.ts";
import type { RunnableAgent } from "../sessions/agents.ts";
import type { Config } from "../shared/env.ts";
import { createLog } from "../shared/log.ts";
import { readSecret } from "../shared/secret-file.ts";
import type { Paths } from "../shared/paths.ts";
import { adapterFor } from "./adapters.ts";
import type { AgentAdapter, UserTurn } from "./agent.ts";
import { acceptImages } from "./images.ts";
import type { PhoneMessage } from "./agent-state.ts";
import type { DaemonAddress } from "./daemon-address.ts";
import { createDaemonRegistration } from "./daemon-registration.ts";
import { createInbox } from "./inbox.ts";
import { createSessionNotices } from "./notices.ts";
import { runLocalMode } from "./local-mode.ts";
import { createPermissionBroker } from "./permissions.ts";
import { createPresence, type Mode } from "./presence.ts";
import { runRemoteMode } from "./remote-mode.ts";
import { serveFileRpcs } from "./rpc/serve.ts";
import type { SessionContext, SessionEnd } from "./session-context.ts";
import { openSessionLink } from "./session-link.ts";
import { createSessionMessages } from "./session-messages.ts";
import type { Terminal } from "./terminal.ts";

/**
 * A session process: registers its session with the daemon, then runs the agent in
 * turns of remote mode (the phone drives) and local mode (the terminal drives) until
 * it is asked to end or the agent ends. Its end is sent to the phone and recorded by
 * the daemon with its reason.
 */
export async function runSessionProcess(input: {
  config: Config;
  paths: Paths;
  daemon: DaemonAddress;
  startedBy: StartedBy;
  startingMode: Mode;
  directory: string;
  agentArgs: string[];
  terminal: Terminal | null;
  say: (line: string) => void;
  agent: RunnableAgent;
  /** Continue the session of this tag: same agent, same conversation. */
  resumeTag?: string;
  adapter?: AgentAdapter;
}): Promise<number> {
  const { config } = input;
  const adapter = input.adapter ?? (await adapterFor(input.agent, config));
  // An agent without a terminal UI of its own runs for the phone from the start.
  const startingMode: Mode = adapter.startLocal ? input.startingMode : "remote";
  const inbox = createInbox();
  let refused = 0;
  const link = await openSessionLink({
    daemon: input.daemon,
    startedBy: input.startedBy,
    directory: input.directory,
    controlledByUser: startingMode === "local",
    flavor: adapter.flavor,
    resumeTag: input.resumeTag,
    currentSecret: () => readSecret(input.paths.p2pSecret),
    onUserMessage: (message) => {
      if (!inbox.push(turnOf(message))) refused++;
    },
  });
  const messages = createSessionMessages(link, config.messageLimitBytes);
  if (refused > 0) messages.event({ type: "message", message: `${refused} messages could not be queued (too many waiting).` });
  const registration = createDaemonRegistration({
    paths: input.paths,
    first: input.daemon,
    sessionId: link.sessionId,
    startedBy: input.startedBy,
    directory: input.directory,
  });
  const reported = await registration.started();
  if (!reported.ok) input.say(`remcli: could not report the session to the daemon: ${reported.error.message}`);
  // A restarted daemon knows nothing of us until we tell it.
  link.onReconnect(() => void registration.startedAgain());

  let requestEnd: (end: SessionEnd) => void = () => {};
  const ending = new Promise<SessionEnd>((resolve) => (requestEnd = resolve));
  const onSignal = (signal: NodeJS.Signals) => () => requestEnd({ reason: `${signal} received`, code: 0 });
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.once(signal, onSignal(signal));

  const known = link.previousMetadata?.[adapter.conversationKey];
  const conversationId = typeof known === "string" && known ? known : adapter.newConversationId();
  const state: SessionContext["state"] = { conversationId, launches: 0, permissionMode: "default" };
  const handlers: SessionContext["handlers"] = { abort: async () => {}, switchTo: () => false, modeChanged: () => {} };
  const notices = createSessionNotices((notice) => registration.notify(notice));
  let announced = false;
  const ctx: SessionContext = {
    config,
    adapter,
    link,
    messages,
    presence: createPresence(link, config.sessionAliveMs, startingMode),
    broker: createPermissionBroker({
      agentState: link.agentState,
      mode: () => state.permissionMode,
      onModeChange: (mode) => handlers.modeChanged(mode),
      modeUnavailable: (mode) => adapter.modeUnavailable(mode),
      notice: (message) => messages.event({ type: "message", message }),
      onAbortTurn: () => void handlers.abort(),
      onAsk: (tool, toolInput) => notices.asked(tool, toolInput),
    }),
    notices,
    inbox,
    directory: input.directory,
    agentArgs: input.agentArgs,
    terminal: input.terminal,
    say: input.say,
    state,
    handlers,
    ending,
    announceReady() {
      if (announced) return;
      announced = true;
      // The app sends its first message once the agent state has a version above 0.
      void link.agentState.update((current) => current);
    },
  };
  serveSessionRpcs(ctx, requestEnd);
  serveFileRpcs(link.rpc, {
    directory: input.directory,
    sessionId: link.sessionId,
    rpcTimeoutMs: config.rpcTimeoutMs,
    ripgrepPath: config.ripgrepPath,
    log: createLog(input.paths.sessionsLog, { debug: config.debug }),
  });
  // Whether the phone may offer "hand control to the terminal" (docs/protocol-extensions.md).
  const hasTerminal = adapter.startLocal !== undefined && input.terminal !== null;
  void link.metadata.update((metadata) => ({
    ...metadata,
    hasTerminal,
    ...(state.conversationId ? { [adapter.conversationKey]: state.conversationId } : {}),
  }));
  input.say(`remcli session ${link.sessionId} in ${input.directory} (${adapter.displayName}, ${startingMode} mode; Ctrl-C ends it)`);

  const end = await runModes(ctx, startingMode);
  ctx.presence.stop();
  await link.close();
  await registration.ended(end.reason, end.code !== 0);
  input.say(`remcli session ${link.sessionId} ended (${end.reason})`);
  return end.code;
}

async function runModes(ctx: SessionContext, first: Mode): Promise<SessionEnd> {
  let mode = first;
  for (;;) {
    const outcome = mode === "remote" ? await runRemoteMode(ctx) : await runLocalMode(ctx);
    if (outcome.kind === "end") return outcome.end;
    if (outcome.to !== mode) ctx.messages.event({ type: "switch", mode: outcome.to });
    mode = outcome.to;
  }
}

function serveSessionRpcs(ctx: SessionContext, requestEnd: (end: SessionEnd) => void) {
  const { rpc } = ctx.link;
  rpc.onRegisterFailed((name, error) => {
    ctx.say(`remcli: the daemon refused this session's ${name} RPC: ${error}`);
    ctx.messages.event({ type: "message", message: `The phone cannot reach this session's ${name} (${error}). Restart the session.` });
  });
  rpc.serve("permission", (params) => ctx.broker.answer(params));
  rpc.serve("abort", async () => {
    await ctx.handlers.abort();
    return { ok: true };
  });
  rpc.serve("switch", (params) => {
    const to = (params as { to?: unknown } | null)?.to;
    return to === "local" || to === "remote" ? ctx.handlers.switchTo(to) : false;
  });
  rpc.serve("killSession", () => {
    ctx.messages.event({ type: "message", message: "Stopped from the phone" });
    // Answer first: the phone should hear "yes" before the session goes away.
    setTimeout(() => requestEnd({ reason: "killed from the phone", code: 0 }), 10);
    return { success: true, message: "Killing remcli process" };
  });
}

function turnOf(message: PhoneMessage): UserTurn {
  const { images, notice } = acceptImages(message.content.images);
  return {
    text: message.content.text,
    permissionMode: message.meta?.permissionMode,
    model: message.meta?.model ?? undefined,
    ...(images.length > 0 ? { images } : {}),
    ...(notice ? { notice } : {}),
  };
}
