import type { AcpContent } from "../protocol/acp.ts";
import type { AgentModel, ImageAttachment } from "../protocol/plaintext.ts";
import type { PermissionMode } from "./agent-state.ts";
import type { SessionRule } from "./tool-allowlist.ts";

/**
 * What a session needs from a coding agent: Claude Code (`claude/adapter.ts`, through
 * its SDK) and the agents spoken to over the Agent Client Protocol (`acp/adapter.ts`:
 * Gemini CLI, Codex, opencode).
 *
 * An agent runs either remotely (driven turn by turn from the phone, its output
 * streamed back) or locally (its own UI in the terminal, mirrored by reading its
 * transcript). Both continue the same conversation, named by `conversationId`.
 */
export type AgentAdapter = {
  /** `metadata.flavor` for the phone, and the name in messages. */
  flavor: string;
  displayName: string;
  /** The executable to run, or a message telling the user how to install it. */
  locate(): { ok: true; executable: string } | { ok: false; message: string };
  /** The metadata field that names the conversation (the app shows it; a resume reads it). */
  conversationKey: string;
  /** The id a new conversation starts under; "" when the agent picks its own. */
  newConversationId(): string;
  startRemote(options: RemoteOptions): RemoteAgent;
  /** Why the agent cannot run in `mode` on this computer (said to the phone), or null. */
  modeUnavailable(mode: PermissionMode): string | null;
  /** Absent for an agent without a terminal UI of its own to hand over to. */
  startLocal?(options: LocalOptions): LocalAgent;
};

export type UserTurn = {
  text: string;
  permissionMode?: PermissionMode;
  model?: string;
  /** Images attached on the phone (Anthropic content blocks). */
  images?: ImageAttachment[];
  /** What of the phone's message could not be passed on, for the phone. */
  notice?: string;
};

export type ToolAsk = { toolUseId: string; tool: string; input: Record<string, unknown>; signal: AbortSignal };
/** `sessionRules`: what the user just allowed for the rest of the session, for the agent's own matcher. */
export type ToolVerdict = { behavior: "allow"; sessionRules?: SessionRule[] } | { behavior: "deny"; message: string; interrupt?: boolean };

/** One message for the phone in the agent's own format: `content.data` of an `output` record. */
export type AgentOutput = Record<string, unknown> & { type: string };

export type TokenUsage = { input: number; output: number; cacheCreation: number; cacheRead: number };

export type RemoteOptions = {
  executable: string;
  cwd: string;
  /** The conversation: continued when it exists, else started under this id ("": a new one). */
  conversationId: string;
  permissionMode: PermissionMode;
  /** Extra agent flags the user gave (`remcli -- --model x`), where they make sense remotely. */
  args: string[];
  onOutput(output: AgentOutput): void;
  /** One message of an agent driven over ACP, in the app's `acp` shape. */
  onAcp(content: AcpContent): void;
  onConversationId(id: string): void;
  onUsage(usage: TokenUsage, costUsd: number | null): void;
  /** The slash commands the agent offers (names without "/"), whenever it says. */
  onSlashCommands?(names: string[]): void;
  /** Busy from a turn's start to its result. */
  onBusy(busy: boolean): void;
  askTool(ask: ToolAsk): Promise<ToolVerdict>;
  /** The models the agent says it accepts, once it has started (for the phone's picker). */
  onModels?(models: AgentModel[]): void;
  /** Something the phone should read that is not the agent's own output (a refused model). */
  onNotice?(text: string): void;
};

export type AgentEnd = { kind: "closed" } | { kind: "crashed"; message: string };

export type RemoteAgent = {
  /** Queues a user turn; turns run one after another, in order. False when the queue is full. */
  send(turn: UserTurn): boolean;
  /** Stops the current turn; the agent stays up for the next one. */
  interrupt(): Promise<void>;
  setPermissionMode(mode: PermissionMode): Promise<void>;
  /** Turns not yet started. */
  queued(): number;
  /** Takes back the turns not yet started (the session hands them to its next mode). */
  takeQueued(): UserTurn[];
  close(): Promise<void>;
  ended: Promise<AgentEnd>;
  /**
   * Settles once the agent can take a turn at once: its process started and answered
   * its handshake (or it failed to, which `ended` tells). The session waits for it
   * before it tells the phone it is ready, so the first message meets a warm agent.
   */
  ready: Promise<void>;
};

export type LocalOptions = {
  executable: string;
  cwd: string;
  /** The conversation: continued when it exists, else started under this id. */
  conversationId: string;
  /** On the first launch the user's own `--resume` / `-c` choose the conversation instead. */
  firstLaunch: boolean;
  args: string[];
};

export type LocalAgent = {
  /** Resolves with the exit code when the interactive agent ends, whatever the way. */
  exited: Promise<number>;
  /** Ends it (to hand over to the phone); resolves when it is gone. */
  stop(): Promise<void>;
  /** Since `startedAt`: new transcript entries, for the phone. */
  mirror(onEntry: (entry: AgentOutput) => void, onConversationId: (id: string) => void): { stop(): void };
};
