import { z } from "zod";
import { AppPermissionMode, PermissionDecision, PermissionMode } from "../protocol/plaintext.ts";

// The session's side of the plaintext shapes in src/protocol/plaintext.ts (PROTOCOL.md §7).
// The app reads leniently; the session receives input from the phone, so here every
// field is bounded and an unknown permission mode never widens what the agent may do.

export { PermissionMode };

/** Longest text a phone message may carry to the agent; the wire limit is larger, a prompt is not. */
export const MAX_PROMPT_CHARS = 200_000;

/** A user turn typed on the phone. Unknown meta fields are the app's own and ignored. */
export const PhoneMessage = z.object({
  role: z.literal("user"),
  // Images are checked one by one (images.ts), so one bad image does not lose the message.
  content: z.object({ type: z.literal("text"), text: z.string().max(MAX_PROMPT_CHARS), images: z.array(z.unknown()).max(64).optional() }),
  meta: z
    .object({
      sentFrom: z.string().max(50).optional(),
      // An unknown mode from a newer app falls back to "no change", never to a wider one.
      permissionMode: AppPermissionMode.optional().catch(undefined),
      model: z.string().max(200).nullish(),
    })
    .optional(),
});
export type PhoneMessage = z.infer<typeof PhoneMessage>;

const PendingRequest = z.object({ tool: z.string(), arguments: z.unknown(), createdAt: z.number() }).passthrough();
const CompletedRequest = PendingRequest.extend({
  completedAt: z.number(),
  status: z.enum(["canceled", "denied", "approved"]),
  reason: z.string().optional(),
  mode: z.string().optional(),
  decision: z.string().optional(),
  // The app's AgentStateSchema reads `allowedTools` (the permission RPC sends `allowTools`).
  allowedTools: z.array(z.string()).optional(),
}).passthrough();

export const AgentState = z
  .object({
    controlledByUser: z.boolean().optional(),
    requests: z.record(z.string(), PendingRequest).default({}),
    completedRequests: z.record(z.string(), CompletedRequest).default({}),
  })
  .passthrough();
export type AgentState = z.infer<typeof AgentState>;
export type CompletedRequest = z.infer<typeof CompletedRequest>;

/** The `permission` session RPC the app calls (reference ops.ts sessionAllow / sessionDeny). */
export const PermissionAnswer = z.object({
  id: z.string().min(1).max(200),
  approved: z.boolean(),
  reason: z.string().max(10_000).optional(),
  mode: AppPermissionMode.optional().catch(undefined),
  allowTools: z.array(z.string().max(1_000)).max(100).optional(),
  decision: PermissionDecision.optional(),
});
export type PermissionAnswer = z.infer<typeof PermissionAnswer>;
