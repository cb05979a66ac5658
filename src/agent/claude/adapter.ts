import type { Config } from "../../shared/env.ts";
import type { AgentAdapter } from "../agent.ts";
import { BYPASS_AS_ROOT, claudeMayBypass } from "./bypass.ts";
import { startClaudeLocal } from "./local.ts";
import { locateClaude } from "./locate.ts";
import { startClaudeRemote } from "./remote.ts";
import { conversationExists } from "./transcript.ts";

/** Claude Code behind the agent interface: the SDK remotely, its own UI locally. */
export function claudeAdapter(config: Config): AgentAdapter {
  const mayBypass = claudeMayBypass(config);
  return {
    flavor: "claude",
    displayName: "Claude Code",
    locate: () => locateClaude(config),
    conversationKey: "claudeSessionId",
    // Claude Code starts a conversation under the id we give it, so the transcript is found at once.
    newConversationId: () => crypto.randomUUID(),
    startRemote: (options) =>
      startClaudeRemote(options, { conversationExists: conversationExists(config.claudeProjectsDir, options.cwd, options.conversationId), mayBypass }),
    modeUnavailable: (mode) => (mode === "bypassPermissions" && !mayBypass ? BYPASS_AS_ROOT : null),
    startLocal: (options) => startClaudeLocal(options, config.claudeProjectsDir),
  };
}
