import type { Config } from "../../shared/env.ts";
import { locateAgent } from "../../sessions/agents.ts";

/**
 * The user's own `claude`: REMCLI_CLAUDE_PATH when set, else the first on PATH. Never
 * the copy inside the SDK's optional platform package — remcli drives the Claude
 * Code the user installed, updates and logs in to.
 */
export function locateClaude(config: Config): { ok: true; executable: string } | { ok: false; message: string } {
  const located = locateAgent("claude", config);
  return located.ok ? { ok: true, executable: located.executables[0]! } : located;
}
