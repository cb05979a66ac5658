import { z } from "zod";
import { LIMITS } from "./limits.ts";

// Machine RPC params and answers, after decryption (PROTOCOL.md §4).

/** The agents the app can ask for; `opencode` is a remcli extension (docs/protocol-extensions.md). */
export const AgentKind = z.enum(["claude", "codex", "cursor", "gemini", "opencode"]);
export type AgentKind = z.infer<typeof AgentKind>;

export const SessionId = z.string().min(1).max(LIMITS.id);

export const SpawnSessionParams = z.object({
  type: z.literal("spawn-in-directory").default("spawn-in-directory"),
  directory: z.string().min(1).max(4096),
  approvedNewDirectoryCreation: z.boolean().optional(),
  agent: AgentKind.optional(),
  token: z.string().max(4096).optional(),
  environmentVariables: z.record(z.string(), z.string()).optional(),
  /** remcli extension: continue this ended session (its agent, directory and conversation). */
  sessionId: SessionId.optional(),
});
export type SpawnSessionParams = z.infer<typeof SpawnSessionParams>;

/** What spawning achieved: a session, or the question whether to create its directory. */
export const SpawnOutcome = z.discriminatedUnion("type", [
  z.object({ type: z.literal("success"), sessionId: z.string() }),
  z.object({ type: z.literal("requestToApproveDirectoryCreation"), directory: z.string() }),
]);
export type SpawnOutcome = z.infer<typeof SpawnOutcome>;

/** The `spawn-remcli-session` answer: what spawning achieved, or why it failed. */
export const SpawnAnswer = z.discriminatedUnion("type", [
  ...SpawnOutcome.options,
  z.object({ type: z.literal("error"), errorMessage: z.string() }),
]);
export type SpawnAnswer = z.infer<typeof SpawnAnswer>;

export const StopSessionParams = z.object({ sessionId: SessionId });
