import { z } from "zod";
import { AcpData } from "./acp.ts";
import { AgentKind } from "./rpc.ts";

// Plaintext shapes inside the encrypted blobs (PROTOCOL.md §7), as the phone reads and
// writes them. Agent output is Claude Code's own message objects: only the fields we
// render are checked, the rest passes through.

export const PermissionMode = z.enum(["default", "acceptEdits", "plan", "bypassPermissions"]);
export type PermissionMode = z.infer<typeof PermissionMode>;

const APP_MODES = {
  default: "default",
  acceptEdits: "acceptEdits",
  plan: "plan",
  bypassPermissions: "bypassPermissions",
  "read-only": "plan",
  "safe-yolo": "acceptEdits",
  yolo: "bypassPermissions",
} as const satisfies Record<string, PermissionMode>;

/**
 * The modes the reference app sends: Claude's four, and for Codex and Gemini sessions
 * `read-only`, `safe-yolo` and `yolo` (its `AGENT_PERMISSIONS`). Each is read as the
 * Claude mode that means the same, so one mode drives every agent.
 */
export const AppPermissionMode = z
  .enum(["default", "acceptEdits", "plan", "bypassPermissions", "read-only", "safe-yolo", "yolo"])
  .transform((mode): PermissionMode => APP_MODES[mode]);

export const PermissionDecision = z.enum(["approved", "approved_for_session", "denied", "abort"]);

export const IMAGE_MEDIA_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;
/** Largest image the agent is given: the Anthropic API's limit, 5 MB of base64. */
export const MAX_IMAGE_BASE64 = 5 * 1024 * 1024;
export const MAX_IMAGES = 4;

/**
 * (remcli extension) An image the phone attaches to a user message, in the Anthropic
 * API's content block shape, so the session hands it to Claude Code unchanged.
 */
export const ImageAttachment = z.object({
  type: z.literal("image"),
  source: z.object({
    type: z.literal("base64"),
    media_type: z.enum(IMAGE_MEDIA_TYPES),
    data: z.string().min(1).max(MAX_IMAGE_BASE64).regex(/^[A-Za-z0-9+/]+={0,2}$/, "not base64"),
  }),
});
export type ImageAttachment = z.infer<typeof ImageAttachment>;

/**
 * A user turn as the phone sends it; `meta` carries the permission mode for this turn.
 * `content.images` (remcli extension) are attached images; the reference app ignores them.
 */
export const UserMessage = z.object({
  role: z.literal("user"),
  content: z.object({ type: z.literal("text"), text: z.string(), images: z.array(ImageAttachment).optional().catch(undefined) }),
  localKey: z.string().optional(),
  meta: z.object({ sentFrom: z.string().optional(), permissionMode: AppPermissionMode.optional().catch(undefined) }).passthrough().optional(),
});
export type UserMessage = z.infer<typeof UserMessage>;

const TextBlock = z.object({ type: z.literal("text"), text: z.string() }).passthrough();
const ThinkingBlock = z.object({ type: z.literal("thinking"), thinking: z.string() }).passthrough();
const ToolUseBlock = z.object({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.unknown() }).passthrough();
const ToolResultBlock = z
  .object({
    type: z.literal("tool_result"),
    tool_use_id: z.string(),
    content: z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }).passthrough())]).optional(),
    is_error: z.boolean().optional(),
  })
  .passthrough();
export const ContentBlock = z.union([TextBlock, ThinkingBlock, ToolUseBlock, ToolResultBlock]);
export type ContentBlock = z.infer<typeof ContentBlock>;
/** Blocks we do not know (images, future types) are kept as `unknown` and shown as such. */
const AnyBlock = z.union([ContentBlock, z.object({ type: z.string() }).passthrough()]);

export const Usage = z
  .object({
    input_tokens: z.number(),
    output_tokens: z.number(),
    cache_creation_input_tokens: z.number().optional(),
    cache_read_input_tokens: z.number().optional(),
  })
  .passthrough();

export const ClaudeOutput = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("assistant"),
    uuid: z.string().optional(),
    message: z.object({ content: z.array(AnyBlock), model: z.string().optional(), usage: Usage.optional() }).passthrough(),
  }).passthrough(),
  z.object({
    type: z.literal("user"),
    uuid: z.string().optional(),
    message: z.object({ content: z.union([z.string(), z.array(AnyBlock)]) }).passthrough(),
    isMeta: z.boolean().nullish(),
  }).passthrough(),
  z.object({
    type: z.literal("result"),
    subtype: z.string().optional(),
    total_cost_usd: z.number().optional(),
    duration_ms: z.number().optional(),
    num_turns: z.number().optional(),
    usage: Usage.optional(),
    is_error: z.boolean().optional(),
    result: z.string().optional(),
  }).passthrough(),
  z.object({ type: z.literal("summary"), summary: z.string() }).passthrough(),
  z.object({ type: z.literal("system") }).passthrough(),
]);
export type ClaudeOutput = z.infer<typeof ClaudeOutput>;

export const AgentEvent = z.union([
  z.object({ type: z.literal("switch"), mode: z.enum(["local", "remote"]) }),
  z.object({ type: z.literal("message"), message: z.string() }),
  z.object({ type: z.literal("limit-reached"), endsAt: z.number() }),
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.string() }).passthrough(),
]);

/** An agent driven over ACP (protocol/acp.ts); a data type we do not know is kept, not refused. */
const AcpRecord = z.object({
  type: z.literal("acp"),
  provider: z.string(),
  data: z.union([AcpData, z.object({ type: z.string() }).passthrough()]),
});

export const AgentMessage = z.object({
  role: z.literal("agent"),
  content: z.discriminatedUnion("type", [
    z.object({ type: z.literal("output"), data: ClaudeOutput }),
    z.object({ type: z.literal("event"), id: z.string().optional(), data: AgentEvent }),
    AcpRecord,
  ]),
  meta: z.object({}).passthrough().optional(),
});
export type AgentMessage = z.infer<typeof AgentMessage>;

export const MessagePlaintext = z.union([UserMessage, AgentMessage]);
export type MessagePlaintext = z.infer<typeof MessagePlaintext>;

/** One model the session's agent accepts: `value` goes back as `meta.model`. */
export const AgentModel = z.object({ value: z.string().max(200), displayName: z.string().max(200), description: z.string().max(1000).optional() });
export type AgentModel = z.infer<typeof AgentModel>;

export const SessionMetadata = z
  .object({
    path: z.string().default(""),
    host: z.string().optional(),
    homeDir: z.string().optional(),
    version: z.string().optional(),
    name: z.string().optional(),
    summary: z.union([z.string(), z.object({ text: z.string() }).passthrough()]).optional(),
    os: z.string().optional(),
    machineId: z.string().optional(),
    flavor: z.string().nullish(),
    startedBy: z.string().optional(),
    lifecycleState: z.string().optional(),
    /** (remcli extension) A terminal holds the session and can take control back. */
    hasTerminal: z.boolean().optional().catch(undefined),
    /** The agent's slash commands, without the leading "/" (Claude Code's init message). */
    slashCommands: z.array(z.string().max(200)).max(500).optional().catch(undefined),
    // remcli extension: the models the agent accepts (docs/protocol-extensions.md).
    models: z.array(AgentModel).max(100).optional().catch(undefined),
  })
  .passthrough();
export type SessionMetadata = z.infer<typeof SessionMetadata>;

const PendingRequest = z.object({ tool: z.string(), arguments: z.unknown(), createdAt: z.number().optional() }).passthrough();
const CompletedRequest = PendingRequest.extend({
  completedAt: z.number().optional(),
  status: z.enum(["canceled", "denied", "approved"]),
  reason: z.string().optional(),
  decision: z.string().optional(),
  allowedTools: z.array(z.string()).nullish(),
}).passthrough();

export const AgentState = z
  .object({
    controlledByUser: z.boolean().nullish(),
    requests: z.record(z.string(), PendingRequest).nullish(),
    completedRequests: z.record(z.string(), CompletedRequest).nullish(),
  })
  .passthrough();
export type AgentState = z.infer<typeof AgentState>;

/** The `permission` session RPC params (reference ops.ts). */
export const PermissionParams = z.object({
  id: z.string(),
  approved: z.boolean(),
  reason: z.string().optional(),
  mode: PermissionMode.optional(),
  allowTools: z.array(z.string()).optional(),
  decision: PermissionDecision.optional(),
});
export type PermissionParams = z.infer<typeof PermissionParams>;

/**
 * Which agents this computer has (remcli extension, docs/protocol-extensions.md): by
 * kind, whether its CLI is installed, its version, and how to install it.
 */
export const InstalledAgent = z.object({
  displayName: z.string().max(100),
  installed: z.boolean(),
  version: z.string().max(100).nullable(),
  installHint: z.string().max(500),
});
export type InstalledAgent = z.infer<typeof InstalledAgent>;
export const MachineAgents = z.partialRecord(AgentKind, InstalledAgent);
export type MachineAgents = z.infer<typeof MachineAgents>;

export const MachineMetadata = z
  .object({
    host: z.string().default("unknown host"),
    platform: z.string().default(""),
    remcliCliVersion: z.string().default(""),
    homeDir: z.string().default(""),
    displayName: z.string().optional(),
    // A daemon before this extension, or a value we cannot read: no list, not an unreadable machine.
    agents: MachineAgents.optional().catch(undefined),
  })
  .passthrough();
export type MachineMetadata = z.infer<typeof MachineMetadata>;

/**
 * A machine's `daemonState`: written by its daemon (ours says "running" or
 * "shutting-down"), read by the phone. Other daemons may say more; it passes through.
 */
export const MachineDaemonState = z
  .object({
    status: z.string(),
    pid: z.number().optional(),
    httpPort: z.number().optional(),
    startedAt: z.number().optional(),
    shutdownRequestedAt: z.number().optional(),
    shutdownSource: z.string().optional(),
    /** remcli extension: live sessions that run an older remcli than the daemon (restart them when idle). */
    olderSessions: z.array(z.object({ sessionId: z.string(), version: z.string().nullable() })).optional(),
  })
  .passthrough();
export type MachineDaemonState = z.infer<typeof MachineDaemonState>;
