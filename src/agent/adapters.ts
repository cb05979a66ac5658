import type { RunnableAgent } from "../sessions/agents.ts";
import type { Config } from "../shared/env.ts";
import { acpAdapter } from "./acp/adapter.ts";
import type { AgentAdapter } from "./agent.ts";
import { claudeAdapter } from "./claude/adapter.ts";

/** The adapter of one agent kind: Claude Code through its SDK, the others over ACP. */
export function adapterFor(kind: RunnableAgent, config: Config): AgentAdapter {
  return kind === "claude" ? claudeAdapter(config) : acpAdapter(kind, config);
}
