import { z } from "zod";

// Machine RPC params, after decryption (PROTOCOL.md §4).

export const AgentKind = z.enum(["claude", "codex", "cursor", "gemini"]);

export const SpawnSessionParams = z.object({
  type: z.literal("spawn-in-directory").default("spawn-in-directory"),
  directory: z.string().min(1).max(4096),
  approvedNewDirectoryCreation: z.boolean().optional(),
  agent: AgentKind.optional(),
  token: z.string().max(4096).optional(),
  environmentVariables: z.record(z.string(), z.string()).optional(),
});
export type SpawnSessionParams = z.infer<typeof SpawnSessionParams>;

export const StopSessionParams = z.object({ sessionId: z.string().min(1).max(200) });
