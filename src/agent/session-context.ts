import type { Config } from "../shared/env.ts";
import type { AgentAdapter } from "./agent.ts";
import type { PermissionMode } from "./agent-state.ts";
import type { Inbox } from "./inbox.ts";
import type { PermissionBroker } from "./permissions.ts";
import type { SessionNotices } from "./notices.ts";
import type { Mode, Presence } from "./presence.ts";
import type { SessionLink } from "./session-link.ts";
import type { SessionMessages } from "./session-messages.ts";
import type { Terminal } from "./terminal.ts";

/** Why and how the session process ends: the child row's reason and the exit code. */
export type SessionEnd = { reason: string; code: number };

export type ModeOutcome = { kind: "switch"; to: Mode } | { kind: "end"; end: SessionEnd };

/**
 * Everything a mode (remote or local) works with. The session RPCs are served once
 * for the whole session; each mode installs what `abort`, `switch` and a permission
 * mode change mean while it runs.
 */
export type SessionContext = {
  config: Config;
  adapter: AgentAdapter;
  link: SessionLink;
  messages: SessionMessages;
  presence: Presence;
  broker: PermissionBroker;
  /** Permission requests and finished turns, for the daemon's notification channels. */
  notices: SessionNotices;
  inbox: Inbox;
  directory: string;
  agentArgs: string[];
  /** Null for a session without a terminal (spawned by the daemon, or piped). */
  terminal: Terminal | null;
  say(line: string): void;
  state: { conversationId: string; launches: number; permissionMode: PermissionMode };
  handlers: {
    abort(): Promise<void>;
    switchTo(to: Mode): boolean;
    modeChanged(mode: PermissionMode): void;
  };
  /** Resolves when the session is asked to end (signal, killSession). */
  ending: Promise<SessionEnd>;
  /**
   * Tells the phone the session takes messages: the agent state's first version, which
   * the app waits for before it sends. Once; the first mode calls it when its agent is
   * ready (remote) or at once (local).
   */
  announceReady(): void;
};

/** Remembers the agent's conversation id, also in the metadata (the app shows it). */
export function rememberConversation(ctx: SessionContext, id: string): void {
  if (id === ctx.state.conversationId) return;
  ctx.state.conversationId = id;
  void ctx.link.metadata.update((metadata) => ({ ...metadata, [ctx.adapter.conversationKey]: id }));
}

/** Unchanged, nothing is written: a write would tell the app the session is ready before it is. */
export function setControlledByUser(ctx: SessionContext, controlledByUser: boolean): Promise<void> {
  if (ctx.link.agentState.get().controlledByUser === controlledByUser) return Promise.resolve();
  return ctx.link.agentState.update((state) => ({ ...state, controlledByUser }));
}
