import type { RunnableAgent } from "../sessions/agents.ts";
import type { Config } from "../shared/env.ts";
import type { AgentAdapter } from "./agent.ts";

/**
 * The adapter of one agent kind: Claude Code through its SDK, the others over ACP.
 * Each is loaded only when it runs: a session needs one SDK, never both (each takes
 * a few hundred milliseconds to load).
 */
export async function adapterFor(kind: RunnableAgent, config: Config): Promise<AgentAdapter> {
  if (kind === "claude") return (await import("./claude/adapter.ts")).claudeAdapter(config);
  return (await import("./acp/adapter.ts")).acpAdapter(kind, config);
}
