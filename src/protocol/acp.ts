import { z } from "zod";

// What a session sends for an agent driven through the Agent Client Protocol: agent
// content `{ type: "acp", provider, data }`, as the reference app renders it
// (`sources/sync/typesRaw.ts`, the `acp` branch of its agent record union).

/** The agent names the app's `acp` content knows. */
export const AcpProvider = z.enum(["gemini", "codex", "claude", "opencode"]);
export type AcpProvider = z.infer<typeof AcpProvider>;

const Id = z.string().min(1).max(300);

export const AcpData = z.discriminatedUnion("type", [
  /** A whole reply of the agent (its chunks joined), Markdown. */
  z.object({ type: z.literal("message"), message: z.string() }),
  /** The agent's thoughts between replies. */
  z.object({ type: z.literal("thinking"), text: z.string() }),
  /** A tool the agent runs; `callId` is the ACP tool call id, also the permission request's key. */
  z.object({ type: z.literal("tool-call"), callId: Id, name: z.string(), input: z.unknown(), id: Id }),
  z.object({ type: z.literal("tool-result"), callId: Id, output: z.unknown(), id: Id, isError: z.boolean().optional() }),
  z.object({ type: z.literal("task_started"), id: Id }),
  z.object({ type: z.literal("task_complete"), id: Id }),
  z.object({ type: z.literal("turn_aborted"), id: Id }),
]);
export type AcpData = z.infer<typeof AcpData>;

export const AcpContent = z.object({ type: z.literal("acp"), provider: AcpProvider, data: AcpData });
export type AcpContent = z.infer<typeof AcpContent>;
